using Microsoft.Extensions.Options;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Formats.Documents;
using StoryEngine.Storage;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Knowledge;

namespace StoryEngine.Server.Hosting;

public static class KnowledgeServiceCollectionExtensions
{
    /// <summary>
    /// World documents and knowledge search (section <c>Knowledge</c>, docs/adr/0045-world-documents.md): the
    /// documents' store, the extractor, the index job and the hybrid search. The embedding model is Memory's
    /// (<c>Embeddings</c>).
    /// </summary>
    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services
            .AddOptions<KnowledgeOptions>()
            .BindConfiguration(KnowledgeOptions.Section)
            .Validate(
                o => o.MaxDocumentBytes is >= 1024 and <= 1024L * 1024 * 1024,
                "Knowledge:MaxDocumentBytes must be between 1024 and 1073741824."
            )
            .Validate(
                o => o.MaxDocumentCharacters is >= 1_000 and <= 100_000_000,
                "Knowledge:MaxDocumentCharacters must be between 1000 and 100000000."
            )
            .Validate(
                o => o.ChunkCharacters is >= 200 and <= 20_000,
                "Knowledge:ChunkCharacters must be between 200 and 20000."
            )
            .Validate(
                o => o.OverlapCharacters >= 0 && o.OverlapCharacters <= o.ChunkCharacters / 2,
                "Knowledge:OverlapCharacters must be between 0 and half of Knowledge:ChunkCharacters."
            )
            .Validate(o => o.PromptPassages is >= 0 and <= 20, "Knowledge:PromptPassages must be between 0 and 20.")
            .Validate(
                o => o.PromptTokens is >= 0 and <= 100_000,
                "Knowledge:PromptTokens must be between 0 and 100000."
            )
            .Validate(o => o.MinSimilarity is >= 0 and <= 1, "Knowledge:MinSimilarity must be between 0 and 1.")
            .Validate(o => o.Candidates is >= 1 and <= 500, "Knowledge:Candidates must be between 1 and 500.")
            .Validate(
                o => o.CachedWorlds is >= 1 and <= 100_000,
                "Knowledge:CachedWorlds must be between 1 and 100000."
            )
            .Validate(
                o => o.RankedMatches is >= 1 and <= 1_000_000,
                "Knowledge:RankedMatches must be between 1 and 1000000."
            )
            .Validate(o => o.SketchFromPassages >= 0, "Knowledge:SketchFromPassages must be 0 or more.")
            .Validate(o => o.SketchShortlist >= 1, "Knowledge:SketchShortlist must be 1 or more.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<KnowledgeOptions>>().Value);
        services.AddSingleton<IResourceStore<KnowledgeDocument>>(sp => new DocumentStore<KnowledgeDocument>(
            sp.GetRequiredService<IStorageProvider>(),
            "knowledge_documents",
            "worlds"
        ));
        services.AddSingleton<IResourceRules<KnowledgeDocument>, WorldChildRules<KnowledgeDocument>>();
        services.AddSingleton<IKnowledgeStore, KnowledgeStore>();
        services.AddSingleton<IDocumentExtractor, DocumentExtractor>();
        services.AddSingleton(sp => new KnowledgeService(
            sp.GetRequiredService<ResourceService<KnowledgeDocument>>(),
            sp.GetRequiredService<IKnowledgeStore>(),
            sp.GetRequiredService<IDocumentExtractor>(),
            sp.GetRequiredService<KnowledgeOptions>(),
            sp.GetService<IJobQueue>()
        ));
        services.AddSingleton<KnowledgeSearch>();
        services.AddSingleton<KnowledgeIndexJob>();
        services.AddJobHandler<KnowledgeIndexJob>(KnowledgeIndexJob.JobType);
        return services;
    }
}
