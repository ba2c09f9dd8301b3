using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Narration;

/// <summary>The graceful drain's settings (section <c>Shutdown</c>; docs/configuration.md).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    public const int MaxDrainSeconds = 3600;

    /// <summary>
    /// How long narrations in flight may go on after SIGTERM before they are stopped and recorded as interrupted
    /// (<c>Shutdown:DrainSeconds</c>; 0 interrupts them at once).
    /// </summary>
    public int DrainSeconds { get; set; } = 20;

    public TimeSpan Drain => TimeSpan.FromSeconds(DrainSeconds);
}

/// <summary>
/// Whether this node is draining (issue 16): from the moment shutdown begins, readiness fails so a load balancer
/// sends new work elsewhere, and new turns are refused, while the narrations already in flight may finish.
/// One per process; it only ever goes from serving to draining.
/// </summary>
public sealed class ShutdownDrain
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Starts draining; true the first time only.</summary>
    public bool Begin() => Interlocked.Exchange(ref _draining, 1) == 0;

    /// <summary>Refuses new work while draining, before anything is written or a model is called.</summary>
    public void ThrowIfDraining()
    {
        if (IsDraining)
        {
            throw new ServerDrainingException();
        }
    }
}

/// <summary>A new turn reached a node that is shutting down: 503 <c>draining</c> with Retry-After.</summary>
public sealed class ServerDrainingException()
    : StoryEngineException(
        ProblemCode,
        "This server is shutting down and takes no new turns; nothing was written. Try again in a few seconds."
    )
{
    public const string ProblemCode = "draining";
}
