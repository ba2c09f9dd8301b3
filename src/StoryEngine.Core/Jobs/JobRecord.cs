namespace StoryEngine.Core.Jobs;

/// <summary>Where a job is in its life. <see cref="Failed"/> means an attempt failed and another is scheduled at
/// <c>RunAfter</c>.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Failed = "failed";
    public const string Succeeded = "succeeded";
    public const string Dead = "dead";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Queued, Running, Failed, Succeeded, Dead, Cancelled];

    /// <summary>Finished jobs never run again unless someone retries them by hand.</summary>
    public static bool IsFinished(string state) => state is Succeeded or Dead or Cancelled;
}

/// <summary>One job as the queue stores it. <see cref="TraceParent"/> is the W3C traceparent of the span that queued
/// it, stored with the job so that its run links back to that trace on any node (null when nothing was
/// traced).</summary>
public sealed record JobRecord(
    string Id,
    string Type,
    string Payload,
    string OwnerId,
    string? AdventureId,
    JobPriority Priority,
    string State,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset RunAfter,
    DateTimeOffset? LockedUntil,
    string? LastError,
    string? DedupeKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    string? TraceParent = null
);

/// <summary>A job a worker holds. <see cref="LeaseId"/> proves it still does: a worker whose lease ran out and was
/// taken over cannot record an outcome.</summary>
public sealed record ClaimedJob(JobRecord Job, string LeaseId);

/// <summary>A page request for the job list; <see cref="OwnerId"/> null lists everyone's (the CLI).</summary>
public sealed record JobListQuery(string? OwnerId, string? AdventureId, string? State, int Limit, string? AfterId);
