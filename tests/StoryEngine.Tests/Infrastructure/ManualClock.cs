namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Real time plus an offset a test can move forward, so "thirty days later" takes no time. Not a FakeTimeProvider:
/// the server under test keeps running on this clock (lease renewals, draft checkpoints, store retries all wait on
/// it) and tests share a database whose rows are stamped with real time, so time must keep flowing. Where a test
/// owns every timer, it uses FakeTimeProvider (Jobs/PeriodicBackgroundServiceTests).
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
