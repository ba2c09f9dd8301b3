using System.Collections.Concurrent;
using System.Diagnostics;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Core.Telemetry;

/// <summary>
/// Traces and counts background jobs. A job runs as a root span "job {type}" of its own (its work can happen long
/// after the turn's trace ended) with a link to the span that queued it. The link's context is stored with the job
/// (<see cref="JobRecord.TraceParent"/>) and also kept in memory between enqueue and run, which links a job run by
/// this process when the stored one is missing.
/// </summary>
public static class JobTelemetry
{
    private const int MaxRemembered = 10_000;
    private static readonly ConcurrentDictionary<string, ActivityContext> Parents = new(StringComparer.Ordinal);

    /// <summary>The W3C traceparent of the current span, to store with a job queued now; null when not
    /// traced.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { } current && current.TraceId != default
            ? $"00-{current.TraceId.ToHexString()}-{current.SpanId.ToHexString()}-{(current.Recorded ? "01" : "00")}"
            : null;

    /// <summary>A job was stored: remembers the span that queued it, and marks the job on it.</summary>
    public static void Enqueued(JobRecord job)
    {
        if (Activity.Current is not { } current)
        {
            return;
        }
        if (Parents.Count >= MaxRemembered)
        {
            Parents.Clear(); // bounded: losing some links is better than growing without end
        }
        Parents[job.Id] = current.Context;
        current.AddEvent(
            new ActivityEvent(
                "job.enqueued",
                tags: new ActivityTagsCollection { [StoryMetrics.JobTypeTag] = job.Type, ["job.id"] = job.Id }
            )
        );
    }

    /// <summary>Starts the span of an attempt at <paramref name="job"/>: a root, linked to its enqueue.</summary>
    public static Activity? Run(JobRecord job)
    {
        var previous = Activity.Current;
        Activity.Current = null; // a root: the worker loop's context is not this job's cause
        try
        {
            var remembered = Parents.TryRemove(job.Id, out var local);
            ActivityLink[]? links =
                ActivityContext.TryParse(job.TraceParent, null, isRemote: true, out var stored) ? [new(stored)]
                : remembered ? [new(local)]
                : null;
            var activity = StoryTelemetry.Source.StartActivity(
                $"job {job.Type}",
                ActivityKind.Consumer,
                parentContext: default,
                links: links
            );
            activity?.SetTag(StoryMetrics.JobTypeTag, job.Type);
            activity?.SetTag("job.id", job.Id);
            activity?.SetTag("job.attempt", job.Attempts);
            return activity;
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = previous;
            }
        }
    }

    /// <summary>An attempt ended: its duration by outcome (succeeded, retry, dead, interrupted); counters.</summary>
    public static void Finished(Activity? activity, JobRecord job, string outcome, TimeSpan elapsed)
    {
        var type = new KeyValuePair<string, object?>(StoryMetrics.JobTypeTag, job.Type);
        StoryMetrics.JobDuration.Record(
            elapsed.TotalSeconds,
            type,
            new KeyValuePair<string, object?>(StoryMetrics.OutcomeTag, outcome)
        );
        if (outcome == "retry")
        {
            StoryMetrics.JobRetries.Add(1, type);
        }
        else if (outcome == JobStates.Dead)
        {
            StoryMetrics.JobDeadLetters.Add(1, type);
        }
        activity?.SetTag(StoryMetrics.OutcomeTag, outcome);
        if (outcome is "retry" or JobStates.Dead)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
        }
    }
}
