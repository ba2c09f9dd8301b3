using Microsoft.Extensions.Options;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Server.Jobs;

/// <summary>Settings under <c>Jobs</c>: the background workers and how the queue retries (see <see
/// cref="JobSettings"/>).</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>False runs no workers on this node: jobs are still queued, and another node (or a later start) runs
    /// them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Jobs this node runs at once: half the cores by default, at least one, so the foreground keeps the
    /// rest (issue 19).</summary>
    public int Workers { get; set; } = DefaultWorkers;

    /// <summary>Half the cores, at least one.</summary>
    public static int DefaultWorkers => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// How long a worker holds back a job while this node is preparing a player's turn (until the model's first
    /// token); it then runs anyway, so a node that is never quiet still runs its jobs. 0 never holds back.
    /// </summary>
    public double YieldToTurnsMilliseconds { get; set; } = 1000;

    /// <summary>How often an idle worker looks for due jobs (new jobs on this node wake it at once).</summary>
    public double PollIntervalSeconds { get; set; } = 2;

    public int MaxAttempts { get; set; } = JobSettings.Default.MaxAttempts;

    public double BaseDelaySeconds { get; set; } = JobSettings.Default.BaseDelay.TotalSeconds;

    public double MaxDelaySeconds { get; set; } = JobSettings.Default.MaxDelay.TotalSeconds;

    public double LeaseSeconds { get; set; } = JobSettings.Default.Lease.TotalSeconds;

    public double RetentionDays { get; set; } = JobSettings.Default.Retention.TotalDays;

    public int PurgeIntervalMinutes { get; set; } = 60;

    public JobSettings ToSettings() =>
        new(
            MaxAttempts,
            TimeSpan.FromSeconds(BaseDelaySeconds),
            TimeSpan.FromSeconds(MaxDelaySeconds),
            TimeSpan.FromSeconds(LeaseSeconds),
            TimeSpan.FromDays(RetentionDays)
        );
}

public sealed class JobOptionsValidator : IValidateOptions<JobOptions>
{
    public ValidateOptionsResult Validate(string? name, JobOptions options)
    {
        var failures = new List<string>();
        void AtLeast(string key, double value, double minimum)
        {
            if (value < minimum || double.IsNaN(value))
            {
                failures.Add($"Jobs:{key} must be at least {minimum} (got {value}).");
            }
        }
        AtLeast("Workers", options.Workers, 1);
        AtLeast("PollIntervalSeconds", options.PollIntervalSeconds, 0.01);
        AtLeast("YieldToTurnsMilliseconds", options.YieldToTurnsMilliseconds, 0);
        AtLeast("MaxAttempts", options.MaxAttempts, 1);
        AtLeast("BaseDelaySeconds", options.BaseDelaySeconds, 0);
        AtLeast("MaxDelaySeconds", options.MaxDelaySeconds, options.BaseDelaySeconds);
        AtLeast("LeaseSeconds", options.LeaseSeconds, 1);
        AtLeast("RetentionDays", options.RetentionDays, 0);
        AtLeast("PurgeIntervalMinutes", options.PurgeIntervalMinutes, 1);
        if (options.Workers > 64)
        {
            failures.Add($"Jobs:Workers must be at most 64 (got {options.Workers}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
