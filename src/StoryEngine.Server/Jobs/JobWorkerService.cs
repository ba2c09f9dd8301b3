using System.Data.Common;
using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// <c>Jobs:Workers</c> loops that each run one job at a time (<see cref="JobPurgeService"/> purges finished ones).
/// Before each job a worker holds back while a player's turn is being prepared (<see cref="ForegroundGate"/>, at most
/// <c>Jobs:YieldToTurnsMilliseconds</c>): background work never sits between a player and the first token.
/// An idle loop sleeps until work is enqueued on this node or the poll interval passes (work enqueued on another node,
/// or retries coming due): a signal rather than a timer, so it is not a <see cref="PeriodicBackgroundService"/>.
/// </summary>
public sealed partial class JobWorkerService(
    JobRunner runner,
    JobSignal signal,
    ForegroundGate foreground,
    IOptions<JobOptions> options,
    ILogger<JobWorkerService> logger
) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var pollInterval = TimeSpan.FromSeconds(settings.PollIntervalSeconds);
        var yieldFor = TimeSpan.FromMilliseconds(settings.YieldToTurnsMilliseconds);
        return Task.WhenAll(
            Enumerable.Range(0, settings.Workers).Select(_ => WorkAsync(pollInterval, yieldFor, stoppingToken))
        );
    }

    private async Task WorkAsync(TimeSpan pollInterval, TimeSpan yieldFor, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreground.WaitForQuietAsync(yieldFor, stoppingToken);
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

    private static async Task Pause(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException) { }
    }

    [LoggerMessage(
        EventId = LogEvents.Jobs.WorkerStoreFailed,
        Level = LogLevel.Warning,
        Message = "The job queue " + "could not be read or written; workers try again shortly"
    )]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
