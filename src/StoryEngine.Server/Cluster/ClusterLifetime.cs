using StoryEngine.Core;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Server.Cluster;

/// <summary>Subscribes the relay and the cache invalidation, then starts the bus, before the node serves
/// anything.</summary>
public sealed partial class ClusterLifetime(
    IClusterBus bus,
    NarrationRelay relay,
    CacheInvalidation invalidation,
    ClusterSettings settings,
    ILogger<ClusterLifetime> logger
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        relay.Start();
        invalidation.Start();
        switch (bus)
        {
            case PostgresClusterBus postgres:
                await postgres.StartAsync(TimeSpan.FromSeconds(10), cancellationToken);
                break;
            case RedisClusterBus redis:
                await redis.StartAsync();
                break;
        }
        LogStarted(logger, settings.NodeId, bus.Kind, (int)settings.LeaseTimeout.TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(
        EventId = LogEvents.Cluster.NodeStarted,
        Level = LogLevel.Information,
        Message = "Node {NodeId} joined the cluster: messages through {Bus}, narration leases of {LeaseSeconds} s"
    )]
    private static partial void LogStarted(ILogger logger, string nodeId, string bus, int leaseSeconds);
}
