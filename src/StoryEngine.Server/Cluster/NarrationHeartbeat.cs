using StoryEngine.Core.Cluster;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Jobs;

namespace StoryEngine.Server.Cluster;

/// <summary>
/// Every <see cref="ClusterSettings.RenewEvery"/>: renews this node's narration leases (one statement for all of
/// them), settles the turns of leases other nodes stopped renewing (they died: the turn becomes interrupted), drops
/// leases finished longer than <see cref="TurnRegistry.Linger"/> ago, and finishes followed narrations whose lease is
/// no longer held (docs/adr/0047-narration-leases-and-the-relay.md).
/// </summary>
public sealed partial class NarrationHeartbeat(
    NarrationCluster cluster,
    TurnService turns,
    TimeProvider clock,
    ILogger<NarrationHeartbeat> logger
) : PeriodicBackgroundService(cluster.Settings.RenewEvery, clock, logger)
{
    protected override async Task TickAsync(CancellationToken stoppingToken)
    {
        try
        {
            await BeatAsync(stoppingToken);
        }
        catch (Exception e)
            when (Core.Narration.OutcomeWriter.IsStorageFault(e) || e is Core.Errors.StoryEngineException)
        {
            // The database is away: the next beat tries again (leases last three beats).
            LogBeatFailed(Logger, e);
        }
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        await turns.RetryLeaseReleasesAsync(stoppingToken);
        await cluster.Leases.RenewAsync(
            cluster.Settings.NodeId,
            Clock.GetUtcNow() + cluster.Settings.LeaseTimeout,
            stoppingToken
        );
        await turns.SettleExpiredLeasesAsync(stoppingToken);
        await cluster.Leases.PurgeFinishedAsync(Clock.GetUtcNow() - TurnRegistry.Linger, stoppingToken);
        await cluster.Relay.SettleFollowersAsync(stoppingToken);
    }

    [LoggerMessage(
        EventId = Core.LogEvents.Cluster.HeartbeatFailed,
        Level = LogLevel.Warning,
        Message = "The narration heartbeat failed; it beats again shortly"
    )]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
