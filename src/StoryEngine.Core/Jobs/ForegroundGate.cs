namespace StoryEngine.Core.Jobs;

/// <summary>
/// Counts the turns this node is preparing (from the player's POST until the model's first token; issue 19), so the
/// background job workers can hold back while a player waits: a job starts only when no turn is being prepared, or
/// once it has waited <c>Jobs:YieldToTurnsMilliseconds</c>, so a node that is never quiet still runs its jobs.
/// A local gate; a gateway queue across nodes (the scale-out issue) would replace it.
/// </summary>
public sealed class ForegroundGate(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private int _active;
    private TaskCompletionSource _quiet = Completed();

    /// <summary>How long a background job's write waits for quiet (<c>Jobs:YieldToTurnsMilliseconds</c>, set at
    /// start-up); zero writes at once.</summary>
    public TimeSpan BackgroundWait { get; init; }

    /// <summary>Turns being prepared right now.</summary>
    public int Active
    {
        get
        {
            lock (_lock)
            {
                return _active;
            }
        }
    }

    /// <summary>A turn's preparation begins; disposing the scope (once is enough, twice is harmless) ends it.</summary>
    public IDisposable Enter()
    {
        lock (_lock)
        {
            if (_active++ == 0)
            {
                _quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return new Scope(this);
    }

    /// <summary>
    /// Completes when no turn is being prepared, or after <paramref name="atMost"/> (then the job runs anyway);
    /// at once when <paramref name="atMost"/> is zero.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        Task quiet;
        lock (_lock)
        {
            quiet = _quiet.Task;
        }
        if (quiet.IsCompleted || atMost <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await quiet.WaitAsync(atMost, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Waited long enough: a node that is always busy still runs its jobs.
        }
    }

    private void Exit()
    {
        TaskCompletionSource? quiet = null;
        lock (_lock)
        {
            if (--_active == 0)
            {
                quiet = _quiet;
            }
        }
        quiet?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private sealed class Scope(ForegroundGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Exit();
            }
        }
    }
}
