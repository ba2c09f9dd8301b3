namespace StoryEngine.Core.Jobs;

/// <summary>How the queue retries and keeps jobs (configuration section <c>Jobs</c>).</summary>
/// <param name="MaxAttempts">Attempts before a job is dead-lettered.</param>
/// <param name="BaseDelay">The wait after the first failed attempt; it doubles with each further one.</param>
/// <param name="MaxDelay">The longest wait between attempts.</param>
/// <param name="Lease">How long a worker holds a job before another may take it over (its worker is presumed
/// dead).</param>
/// <param name="Retention">How long finished jobs stay visible before they are purged.</param>
public sealed record JobSettings(
    int MaxAttempts,
    TimeSpan BaseDelay,
    TimeSpan MaxDelay,
    TimeSpan Lease,
    TimeSpan Retention
)
{
    // A 30 s lease, renewed every 10 s while the job runs (JobRunner): a killed node's jobs are taken over within
    // about one lease, not five minutes (issue 15, fault 8).
    public static readonly JobSettings Default = new(
        5,
        TimeSpan.FromSeconds(10),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromDays(7)
    );
}

/// <summary>Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries of many jobs that
/// failed together spread out.</summary>
public static class Backoff
{
    public static TimeSpan After(int attempt, JobSettings settings, Random random)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var full = Math.Min(
            settings.BaseDelay.TotalMilliseconds * Math.Pow(2, exponent),
            settings.MaxDelay.TotalMilliseconds
        );
        return TimeSpan.FromMilliseconds(full / 2 + random.NextDouble() * full / 2);
    }
}
