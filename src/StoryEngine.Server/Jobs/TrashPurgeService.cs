using StoryEngine.Core;
using StoryEngine.Core.Trash;

namespace StoryEngine.Server.Jobs;

/// <summary>Runs <see cref="TrashPurgeJob"/> <see cref="PeriodicBackgroundService.SweepStartDelay"/> after start and
/// then every <c>Trash:PurgeIntervalMinutes</c> (default 60).</summary>
public sealed partial class TrashPurgeService(
    TrashPurgeJob job,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<TrashPurgeService> logger
) : PeriodicBackgroundService(Interval(configuration), clock, logger, SweepStartDelay)
{
    protected override async Task TickAsync(CancellationToken stoppingToken)
    {
        var purged = await job.ExecuteAsync(stoppingToken);
        if (purged > 0)
        {
            LogPurged(Logger, purged);
        }
    }

    private static TimeSpan Interval(IConfiguration configuration) =>
        TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("Trash:PurgeIntervalMinutes", 60)));

    [LoggerMessage(
        EventId = LogEvents.Sweeps.TrashPurged,
        Level = LogLevel.Information,
        Message = "Trash sweep " + "removed {Count} rows deleted more than 30 days ago"
    )]
    private static partial void LogPurged(ILogger logger, int count);
}
