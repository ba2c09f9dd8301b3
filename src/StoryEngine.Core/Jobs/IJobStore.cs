namespace StoryEngine.Core.Jobs;

/// <summary>The jobs table. Claims are atomic: two workers never hold the same job under the same lease.</summary>
public interface IJobStore
{
    /// <summary>Stores a new job, or returns the unfinished job with the same type and dedupe key.</summary>
    Task<JobRecord> AddAsync(JobRecord job, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the most urgent job that is due (queued, or failed and due for another attempt, or running with a lease
    /// that ran out), counts an attempt and leases it until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    Task<ClaimedJob?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends a lease the worker still holds until <paramref name="until"/>; false when it was taken
    /// over.</summary>
    Task<bool> RenewLeaseAsync(ClaimedJob claim, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Records the outcome of an attempt; false when the lease is no longer this worker's (nothing
    /// changes).</summary>
    Task<bool> FinishAttemptAsync(ClaimedJob claim, JobOutcome outcome, CancellationToken cancellationToken);

    Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobRecord>> ListAsync(JobListQuery query, CancellationToken cancellationToken);

    /// <summary>A failed, dead or cancelled job is queued again with its attempts reset; null when no such job
    /// exists.</summary>
    Task<JobRecord?> RetryAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A queued or failed job is cancelled; null when no such job exists.</summary>
    Task<JobRecord?> CancelAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Unfinished jobs (queued, running, failed) per type and state, and the oldest's creation.</summary>
    Task<IReadOnlyList<JobQueueCount>> CountUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>Removes jobs that finished before <paramref name="cutoff"/>.</summary>
    Task<int> PurgeFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>How many unfinished jobs of one type are in one state, and when the oldest of them was queued.</summary>
public sealed record JobQueueCount(string Type, string State, long Count, DateTimeOffset OldestCreatedAt);

/// <summary>What an attempt ended as: the new state, when to try again (for <see cref="JobStates.Failed"/>/<see
/// cref="JobStates.Queued"/>), and why.</summary>
/// <param name="RefundAttempt">True when the attempt never really ran (the server stopped first), so it does not
/// count.</param>
public sealed record JobOutcome(
    string State,
    DateTimeOffset At,
    DateTimeOffset? RunAfter = null,
    string? Error = null,
    bool RefundAttempt = false
);
