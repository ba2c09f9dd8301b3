using System.Data.Common;
using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// <c>Jobs:Workers</c> loops that each run one job at a time, plus a sweep that purges finished jobs after
/// <c>Jobs:RetentionDays</c>. An idle loop sleeps until work is enqueued on this node or the poll interval passes
/// (work enqueued on another node, or retries coming due).
/// </summary>
public sealed partial class JobWorkerService(
    JobRunner runner, IJobStore store, JobSignal signal, IOptions<JobOptions> options, TimeProvider clock, ILogger<JobWorkerService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var loops = Enumerable.Range(0, settings.Workers).Select(_ => WorkAsync(TimeSpan.FromSeconds(settings.PollIntervalSeconds), stoppingToken)).ToList();
        loops.Add(PurgeAsync(settings, stoppingToken));
        return Task.WhenAll(loops);
    }

    private async Task WorkAsync(TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await runner.RunNextAsync(stoppingToken))
                {
                    continue; // there may be more
                }
                await signal.WaitAsync(pollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DbException e)
            {
                // The database is away; the jobs are safe in it. Try again after a pause.
                LogStoreFailed(logger, e);
                await Pause(pollInterval, stoppingToken);
            }
        }
    }

    private async Task PurgeAsync(JobOptions settings, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.PurgeIntervalMinutes));
        try
        {
            do
            {
                try
                {
                    var purged = await store.PurgeFinishedBeforeAsync(clock.GetUtcNow() - settings.ToSettings().Retention, stoppingToken);
                    if (purged > 0)
                    {
                        LogPurged(logger, purged);
                    }
                }
                catch (DbException e)
                {
                    LogStoreFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task Pause(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = LogEvents.Jobs.WorkerStoreFailed, Level = LogLevel.Warning, Message = "The job queue could not be read or written; workers try again shortly")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.Jobs.WorkerPurged, Level = LogLevel.Information, Message = "Purged {Count} finished jobs past their retention")]
    private static partial void LogPurged(ILogger logger, int count);
}
