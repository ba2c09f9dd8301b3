namespace StoryEngine.Core.Jobs;

/// <summary>How urgently a background job should run; workers take higher priorities first.</summary>
public enum JobPriority
{
    Low = 0,
    Default = 1,
    Critical = 2,
}

/// <summary>A request for background work: a named type, a JSON payload its handler understands, and who it is
/// for.</summary>
/// <param name="Type">The handler's <see cref="IJobHandler.Type"/>, e.g. "state.extract".</param>
/// <param name="Payload">JSON the handler reads; keep it small (ids, not content).</param>
/// <param name="OwnerId">The user the work is for; only they (and admins) may see the job.</param>
/// <param name="AdventureId">The adventure it concerns, when it concerns one.</param>
/// <param name="Priority">Which jobs run first.</param>
/// <param name="DedupeKey">When set, a job with the same type and key that has not finished yet is reused instead of
/// adding another.</param>
public sealed record JobRequest(
    string Type,
    string Payload,
    string OwnerId,
    string? AdventureId = null,
    JobPriority Priority = JobPriority.Default,
    string? DedupeKey = null
);

/// <summary>The durable queue of background work. Jobs survive restarts and are retried with backoff until they succeed
/// or dead-letter.</summary>
public interface IJobQueue
{
    /// <summary>Stores the job and returns its id; it runs as soon as a worker is free.</summary>
    Task<string> EnqueueAsync(JobRequest request, CancellationToken cancellationToken);
}

/// <summary>Runs one type of job. Throwing fails this attempt (it is retried later); returning means done.</summary>
public interface IJobHandler
{
    /// <summary>The job type this handler runs, e.g. "memory.index".</summary>
    string Type { get; }

    Task HandleAsync(JobContext job, CancellationToken cancellationToken);
}

/// <summary>What a handler is given: the job's identity, its payload and which attempt this is (1-based).</summary>
public sealed record JobContext(
    string JobId,
    string Type,
    string Payload,
    string OwnerId,
    string? AdventureId,
    int Attempt
);
