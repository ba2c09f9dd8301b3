using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Jobs;

/// <summary>The <see cref="IJobQueue"/> the application uses: stores the job, then wakes an idle worker.</summary>
public sealed class JobQueue(IJobStore store, JobSignal signal, JobSettings settings, TimeProvider clock) : IJobQueue
{
    public const int MaxPayloadLength = 16_384;

    public async Task<string> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Type) || request.Payload.Length > MaxPayloadLength)
        {
            // A programming error, not a user's: handlers should pass ids, not content.
            throw new ArgumentException(
                $"A job needs a type and a payload of at most {MaxPayloadLength} " + "characters.",
                nameof(request)
            );
        }
        var now = clock.GetUtcNow();
        var job = new JobRecord(
            Ids.New(),
            request.Type,
            request.Payload,
            request.OwnerId,
            request.AdventureId,
            request.Priority,
            JobStates.Queued,
            0,
            settings.MaxAttempts,
            now,
            null,
            null,
            request.DedupeKey,
            now,
            now,
            null,
            Telemetry.JobTelemetry.CurrentTraceParent()
        );
        var stored = await store.AddAsync(job, cancellationToken);
        Telemetry.JobTelemetry.Enqueued(stored);
        signal.Wake();
        return stored.Id;
    }

    /// <summary>The job for its owner (or anyone, for an admin); someone else's is "not found".</summary>
    public async Task<JobRecord> GetAsync(
        string id,
        string userId,
        bool isAdmin,
        CancellationToken cancellationToken
    ) =>
        await store.GetAsync(id, cancellationToken) is { } job && (isAdmin || job.OwnerId == userId)
            ? job
            : throw new NotFoundException("job", id);
}

/// <summary>Wakes idle workers when work arrives, so a new job does not wait for the next poll.</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _wake = new(0, 64);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Enough wake-ups are pending already.
        }
    }

    /// <summary>Waits for a wake-up or the poll interval, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan pollInterval, CancellationToken cancellationToken) =>
        _wake.WaitAsync(pollInterval, cancellationToken);
}
