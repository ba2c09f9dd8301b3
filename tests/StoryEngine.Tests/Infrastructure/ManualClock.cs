namespace StoryEngine.Tests.Infrastructure;

/// <summary>Real time plus an offset a test can move forward, so "thirty days later" takes no time.</summary>
public sealed class ManualClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
