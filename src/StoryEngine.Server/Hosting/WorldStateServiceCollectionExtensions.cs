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
        services.AddSingleton<IUtilityModel, UtilityModel>();
        services.AddSingleton<WorldStateCache>();
        services.AddSingleton<WorldStates>();
        services.AddSingleton<StateCast>();
        services.AddSingleton<IJobHandler, StateExtractionJob>();
        services.AddSingleton<INarrationObserver, StateExtractionObserver>();
        return services;
    }
}

/// <summary>The utility chain, built on first use so a server that never runs background work never builds
/// it.</summary>
public sealed class UtilityModel(BackendFactory factory) : IUtilityModel
{
    private readonly Lazy<IChatClient> _client = new(factory.CreateUtilityChain);

    public IChatClient Client => _client.Value;
}
