using Microsoft.Extensions.Options;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Formats.Transfer;
using StoryEngine.Storage;
using StoryEngine.Storage.Characters;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Lore;

namespace StoryEngine.Server.Hosting;

public static class LoreServiceCollectionExtensions
{
    /// <summary>
    /// Lorebooks (a world's and a character's own), card files, card and lorebook import/export, and the lore budget
    /// (section <c>Lore</c>).
    /// </summary>
    public static IServiceCollection AddLore(this IServiceCollection services)
    {
        services.AddSingleton<IResourceStore<Lorebook>>(sp => new DocumentStore<Lorebook>(
            sp.GetRequiredService<IStorageProvider>(),
            "lorebooks",
            "worlds"
        ));
        services.AddSingleton<IResourceRules<Lorebook>, WorldChildRules<Lorebook>>();
        services.AddSingleton<ICharacterLorebookStore, CharacterLorebookStore>();
        services.AddSingleton<ICharacterFileStore, CharacterFileStore>();
        services.AddSingleton<CharacterLorebooks>();
        services.AddSingleton<CharacterCardTransfer>();
        services.AddSingleton<LorebookTransfer>();
        services.AddSingleton<ILoreActivationLog, LoreActivationLog>();
        services.AddSingleton<LoreInputs>();
        services
            .AddOptions<LoreOptions>()
            .BindConfiguration(LoreOptions.Section)
            .Validate(o => o.BudgetPercent is >= 1 and <= 100, "Lore:BudgetPercent must be between 1 and 100.")
            .Validate(
                o => o.VectorizedSimilarity is >= 0 and <= 1,
                "Lore:VectorizedSimilarity must be between 0 and 1."
            )
            .Validate(o => o.VectorizedEntries is >= 0 and <= 100, "Lore:VectorizedEntries must be between 0 and 100.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LoreOptions>>().Value);
        // One per process: compiled books outlive a turn, and the cache bounds how many are kept.
        services.AddSingleton(_ => new LoreIndexCache());
        return services;
    }
}
