using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;
using StoryEngine.Core.Worlds;
using StoryEngine.Storage;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Scenarios;

namespace StoryEngine.Server.Hosting;

public static class ScenarioServiceCollectionExtensions
{
    /// <summary>Scenario graphs (issue 24): their store with versions, share links, the play index, and the services
    /// that validate, version, share and play them.</summary>
    public static IServiceCollection AddScenarios(this IServiceCollection services)
    {
        services.AddSingleton<ScenarioVersionStore>();
        services.AddSingleton<IScenarioVersionStore>(sp => sp.GetRequiredService<ScenarioVersionStore>());
        services.AddSingleton<IScenarioShareStore, ScenarioShareStore>();
        services.AddSingleton<IScenarioPlayIndex, ScenarioPlayIndex>();
        services.AddSingleton<IResourceStore<Scenario>>(sp => new VersionedScenarioStore(
            new DocumentStore<Scenario>(sp.GetRequiredService<IStorageProvider>(), "scenarios", "worlds"),
            sp.GetRequiredService<IScenarioVersionStore>()
        ));
        services.AddSingleton<IResourceRules<Scenario>, WorldChildRules<Scenario>>();
        services.AddSingleton<ScenarioPositions>();
        services.AddSingleton<ScenarioStarts>();
        services.AddSingleton<ScenarioPlay>();
        services.AddSingleton<ScenarioService>();
        return services;
    }
}
