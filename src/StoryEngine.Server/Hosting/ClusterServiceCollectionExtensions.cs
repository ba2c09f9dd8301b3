using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Cluster;
using StoryEngine.Server.Cluster;
using StoryEngine.Storage.Cluster;

namespace StoryEngine.Server.Hosting;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// With PostgreSQL (<c>ConnectionStrings:Postgres</c>), any number of nodes may share the database: narration
    /// leases with a heartbeat, the narration relay, cache invalidation and shared rate limits, over PostgreSQL's
    /// LISTEN/NOTIFY or, when <c>Redis:Configuration</c> is set, Redis (docs/scaling.md). SQLite runs one node and
    /// registers none of it.
    /// </summary>
    public static IServiceCollection AddStoryCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section);
        return string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres"))
            ? services
            : AddNodes(services, configuration);
    }

    // Its own method, so a SQLite server never loads the Redis client's or the cluster bus's types (issue 19: idle
    // memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IServiceCollection AddNodes(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClusterOptions>>().Value;
            var suffix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..3]);
            var node = options.NodeId ?? ClusterSettings.DefaultNodeId(suffix);
            return new ClusterSettings(node, TimeSpan.FromSeconds(options.LeaseSeconds));
        });
        services.AddSingleton<INarrationLeases, NarrationLeaseStore>();
        services.AddSingleton<RateWindowStore>();
        var redis = configuration[$"{RedisOptions.Section}:Configuration"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton(sp => new RedisConnection(
                redis,
                sp.GetRequiredService<IOptions<RedisOptions>>().Value.Prefix
            ));
            services.AddSingleton<IClusterBus, RedisClusterBus>();
            services.AddSingleton<IRateCounter, RedisRateCounter>();
        }
        else
        {
            services.AddSingleton<IClusterBus>(sp => new PostgresClusterBus(
                configuration.GetConnectionString("Postgres")!,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<PostgresClusterBus>>()
            ));
            services.AddSingleton<IRateCounter, DatabaseRateCounter>();
        }
        services.AddSingleton<NarrationRelay>();
        services.AddSingleton<NarrationCluster>();
        services.AddSingleton<CacheInvalidation>();
        services.AddHostedService<ClusterLifetime>();
        services.AddHostedService<NarrationHeartbeat>();
        return services;
    }
}
