using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Gateway;

namespace StoryEngine.Server.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The model gateway's shared parts (issue 21): the identical-request cache (HybridCache in memory, with Redis as
    /// its second level when <c>Redis:Configuration</c> is set) and its statistics. The per-backend gates live in the
    /// providers' <c>BackendFactory</c>.
    /// </summary>
    public static IServiceCollection AddModelGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.Section)
            .Validate(o => o.CacheMinutes is >= 0 and <= 10_080, "Gateway:CacheMinutes must be between 0 and 10080.")
            .ValidateOnStart();
        services.AddSingleton<GatewayStatistics>();
        services.AddHybridCache();
        var redis = configuration[$"{Cluster.RedisOptions.Section}:Configuration"];
        if (
            !string.IsNullOrWhiteSpace(redis)
            && !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres"))
        )
        {
            AddRedisCache(services, configuration, redis);
        }
        return services;
    }

    // Its own method, so a server without Redis never loads the Redis client's assemblies (issue 19: idle memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddRedisCache(IServiceCollection services, IConfiguration configuration, string redis) =>
        // HybridCache takes the registered IDistributedCache as its second level.
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis;
            o.InstanceName = (configuration[$"{Cluster.RedisOptions.Section}:Prefix"] ?? "storyengine:") + "cache:";
        });
}
