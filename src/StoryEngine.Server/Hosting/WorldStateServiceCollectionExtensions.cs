using Microsoft.Extensions.AI;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.State;
using StoryEngine.Providers;

namespace StoryEngine.Server.Hosting;

public static class WorldStateServiceCollectionExtensions
{
    /// <summary>World state tracking: the utility model, the projection, and the extraction job queued after each
    /// narration.</summary>
    public static IServiceCollection AddWorldState(this IServiceCollection services)
    {
        services.AddSingleton<UtilityModel>();
        services.AddSingleton<IUtilityModel>(sp => sp.GetRequiredService<UtilityModel>());
        services.AddSingleton<WorldStateCache>();
        services.AddSingleton<WorldStates>();
        services.AddSingleton<StateCast>();
        services.AddJobHandler<StateExtractionJob>(StateExtractionJob.JobType);
        services.AddSingleton<INarrationObserver, StateExtractionObserver>();
        return services;
    }
}

/// <summary>The utility chain, built on first use so a server that never runs background work never builds it; behind
/// the model gateway's identical-request cache unless <c>Gateway:CacheMinutes</c> is 0.</summary>
public sealed class UtilityModel(
    BackendFactory factory,
    Microsoft.Extensions.Caching.Hybrid.HybridCache cache,
    Gateway.GatewayStatistics statistics,
    Microsoft.Extensions.Options.IOptions<Gateway.GatewayOptions> options,
    ILogger<Gateway.IdenticalRequestCache> logger
) : IUtilityModel
{
    public const string ChainName = "utility";

    private readonly Lazy<Providers.Chain.BackendChain> _chain = new(factory.CreateUtilityChain);
    private IChatClient? _client;

    /// <summary>The chain itself, for the admin view of the backends.</summary>
    public Providers.Chain.BackendChain Chain => _chain.Value;

    public IChatClient Client =>
        _client ??=
            options.Value.CacheMinutes > 0
                ? new Gateway.IdenticalRequestCache(
                    _chain.Value,
                    ChainName,
                    cache,
                    statistics,
                    TimeSpan.FromMinutes(options.Value.CacheMinutes),
                    logger
                )
                : _chain.Value;
}
