namespace StoryEngine.Core.Resources;

/// <summary>
/// New ids: UUIDv7 strings whose order is creation order, which keyset paging relies on. Guid.CreateVersion7 alone
/// fills the bits after the millisecond with random data, so two ids of the same millisecond could sort either way;
/// here each id takes a millisecond of its own (running a little ahead of the clock during bursts).
/// </summary>
public static class Ids
{
    private static long _lastMilliseconds;

    public static string New()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long next;
        long last;
        do
        {
            last = Interlocked.Read(ref _lastMilliseconds);
            next = Math.Max(now, last + 1);
        } while (Interlocked.CompareExchange(ref _lastMilliseconds, next, last) != last);
        return Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(next)).ToString();
    }
}
