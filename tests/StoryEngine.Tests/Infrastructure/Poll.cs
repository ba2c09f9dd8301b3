namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// The one way a test waits for something another process or a background job does: look again every
/// <see cref="Interval"/> until the condition holds, failing the test with a reason after the timeout (a minute unless
/// told). Tests never sleep for a fixed time to let work finish.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task UntilAsync(Func<bool> condition, string failure, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), failure, timeout);

    public static Task UntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null) =>
        UntilAsync(condition, done => done, _ => failure, timeout);

    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> says yes and returns what it read; the
    /// failure message is made from the last reading.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        Func<T, string> failure,
        TimeSpan? timeout = null
    )
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, failure(value));
            await Task.Delay(Interval);
        }
    }
}
