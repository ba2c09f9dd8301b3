using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// Purges finished jobs after <c>Jobs:RetentionDays</c>, <see cref="PeriodicBackgroundService.SweepStartDelay"/> after
/// start and every <c>Jobs:PurgeIntervalMinutes</c>.
/// </summary>
public sealed partial class JobPurgeService(
    IJobStore store,
    IOptions<JobOptions> options,
    TimeProvider clock,
    ILogger<JobPurgeService> logger
) : PeriodicBackgroundService(TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes), clock, logger, SweepStartDelay)
{
    protected override async Task TickAsync(CancellationToken stoppingToken)
    {
        var before = Clock.GetUtcNow() - options.Value.ToSettings().Retention;
        var purged = await store.PurgeFinishedBeforeAsync(before, stoppingToken);
        if (purged > 0)
        {
            LogPurged(Logger, purged);
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Jobs.WorkerPurged,
        Level = LogLevel.Information,
        Message = "Purged {Count} finished jobs past their retention"
    )]
    private static partial void LogPurged(ILogger logger, int count);
}
