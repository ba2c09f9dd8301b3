using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Telemetry;

namespace StoryEngine.Core.Jobs;

/// <summary>
/// Runs one job at a time for a worker: claims the most urgent due job, hands it to the handler for its type and
/// records what happened. Retries, backoff and dead-lettering are decided here, never by handlers.
/// </summary>
public sealed partial class JobRunner(
    IJobStore store,
    JobHandlers handlers,
    JobSettings settings,
    TimeProvider clock,
    ILogger<JobRunner> logger
)
{
    private const int MaxErrorLength = 2000;

    /// <summary>Runs the next due job; false when there was none. <paramref name="stopping"/> cancels a job in flight
    /// on shutdown.</summary>
    public async Task<bool> RunNextAsync(CancellationToken stopping)
    {
        var claim = await store.ClaimAsync(clock.GetUtcNow(), settings.Lease, stopping);
        if (claim is null)
        {
            return false;
        }
        var job = claim.Job;
        using var activity = JobTelemetry.Run(job);
        var started = Stopwatch.GetTimestamp();
        if (!handlers.Runs(job.Type))
        {
            await FinishAsync(
                claim,
                new JobOutcome(
                    JobStates.Dead,
                    clock.GetUtcNow(),
                    Error: $"No handler for job type '{job.Type}' on this server; it cannot run. Retry it once a "
                        + "server "
                        + "that knows the type is running."
                )
            );
            JobTelemetry.Finished(activity, job, JobStates.Dead, TimeSpan.Zero);
            return true;
        }
        if (job.Attempts > job.MaxAttempts)
        {
            // Only a job whose worker died again and again gets here: its leases ran out without an outcome.
            await FinishAsync(
                claim,
                new JobOutcome(
                    JobStates.Dead,
                    clock.GetUtcNow(),
                    Error: (
                        $"Gave up after {job.MaxAttempts} attempts whose workers stopped without finishing. "
                        + job.LastError
                    ).Trim()
                )
            );
            JobTelemetry.Finished(activity, job, JobStates.Dead, TimeSpan.Zero);
            return true;
        }
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = KeepLeaseAsync(claim, running);
        try
        {
            // Built on its type's first job (JobHandlers); a handler that cannot be built fails the job like any error.
            await handlers
                .Get(job.Type)
                .HandleAsync(
                    new JobContext(job.Id, job.Type, job.Payload, job.OwnerId, job.AdventureId, job.Attempts),
                    running.Token
                );
            await running.CancelAsync(); // stop renewing before the outcome clears the lease
            await heartbeat;
            await FinishAsync(claim, new JobOutcome(JobStates.Succeeded, clock.GetUtcNow()));
            JobTelemetry.Finished(activity, job, JobStates.Succeeded, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server is stopping: hand the job back at once, uncounted, rather than leave it until its lease ends.
            await FinishAsync(
                claim,
                new JobOutcome(
                    JobStates.Queued,
                    clock.GetUtcNow(),
                    clock.GetUtcNow(),
                    "interrupted by a server stop",
                    RefundAttempt: true
                )
            );
            JobTelemetry.Finished(activity, job, "interrupted", Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The lease was taken over (this worker looked dead): the other worker owns the job now.
            LogLeaseLost(logger, job.Id, job.Type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var error = Describe(e);
            var now = clock.GetUtcNow();
            if (job.Attempts >= job.MaxAttempts)
            {
                LogDead(logger, e, job.Id, job.Type, job.Attempts);
                await FinishAsync(claim, new JobOutcome(JobStates.Dead, now, Error: error));
                JobTelemetry.Finished(activity, job, JobStates.Dead, Stopwatch.GetElapsedTime(started));
            }
            else
            {
                var retryAt = now + Backoff.After(job.Attempts, settings, Random.Shared);
                LogRetry(logger, e, job.Id, job.Type, job.Attempts, retryAt);
                await FinishAsync(claim, new JobOutcome(JobStates.Failed, now, retryAt, error));
                JobTelemetry.Finished(activity, job, "retry", Stopwatch.GetElapsedTime(started));
            }
        }
        finally
        {
            await running.CancelAsync();
            await heartbeat;
        }
        return true;
    }

    /// <summary>
    /// Renews the lease every third of its length while the handler runs, so a long job is not taken over by another
    /// worker; when the lease is found taken over anyway (this worker stalled), the handler is cancelled.
    /// </summary>
    private async Task KeepLeaseAsync(ClaimedJob claim, CancellationTokenSource running)
    {
        try
        {
            while (true)
            {
                await Task.Delay(settings.Lease / 3, clock, running.Token);
                if (!await store.RenewLeaseAsync(claim, clock.GetUtcNow() + settings.Lease, running.Token))
                {
                    await running.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The job finished (or the server is stopping).
        }
        catch (System.Data.Common.DbException e)
        {
            // The lease simply runs out if the database stays away; the job is then run again, and handlers are
            // idempotent.
            LogRenewFailed(logger, e, claim.Job.Id);
        }
    }

    private async Task FinishAsync(ClaimedJob claim, JobOutcome outcome)
    {
        // Not the stopping token: an outcome that is known must be written even while the server stops.
        if (!await store.FinishAttemptAsync(claim, outcome, CancellationToken.None))
        {
            LogLeaseLost(logger, claim.Job.Id, claim.Job.Type);
        }
    }

    private static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    [LoggerMessage(
        EventId = LogEvents.Jobs.Retry,
        Level = LogLevel.Warning,
        Message = "Job {JobId} ({Type}) failed " + "attempt {Attempt}; next try at {RetryAt}"
    )]
    private static partial void LogRetry(
        ILogger logger,
        Exception exception,
        string jobId,
        string type,
        int attempt,
        DateTimeOffset retryAt
    );

    [LoggerMessage(
        EventId = LogEvents.Jobs.Dead,
        Level = LogLevel.Error,
        Message = "Job {JobId} ({Type}) is dead " + "after {Attempts} attempts"
    )]
    private static partial void LogDead(ILogger logger, Exception exception, string jobId, string type, int attempts);

    [LoggerMessage(
        EventId = LogEvents.Jobs.RenewFailed,
        Level = LogLevel.Warning,
        Message = "Could not renew the " + "lease of job {JobId}"
    )]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(
        EventId = LogEvents.Jobs.LeaseLost,
        Level = LogLevel.Warning,
        Message = "Job {JobId} ({Type}) " + "ran past its lease and was taken over; this run's outcome is dropped"
    )]
    private static partial void LogLeaseLost(ILogger logger, string jobId, string type);
}
