using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Narration;
using StoryEngine.Providers;
using StoryEngine.Providers.Embeddings;
using StoryEngine.Storage.Memory;

namespace StoryEngine.Server.Hosting;

public static class MemoryServiceCollectionExtensions
{
    /// <summary>
    /// Recall and summaries (sections <c>Memory</c>, <c>Summaries</c>, <c>Embeddings</c>): the index, the jobs that
    /// keep it and the summaries up to date, and the observer that schedules them on the job queue after each turn.
    /// </summary>
    public static IServiceCollection AddMemory(this IServiceCollection services)
    {
        services
            .AddOptions<MemoryOptions>()
            .BindConfiguration(MemoryOptions.Section)
            .Validate(o => o.RecallCount is >= 0 and <= 50, "Memory:RecallCount must be between 0 and 50.")
            .Validate(o => o.RecallTokens is >= 0 and <= 100_000, "Memory:RecallTokens must be between 0 and 100000.")
            .Validate(o => o.Candidates is >= 1 and <= 500, "Memory:Candidates must be between 1 and 500.")
            .Validate(o => o.FusionK is >= 1 and <= 1000, "Memory:FusionK must be between 1 and 1000.")
            .Validate(
                o => o.CachedPartitions is >= 1 and <= 100_000,
                "Memory:CachedPartitions must be between 1 " + "and 100000."
            )
            .Validate(
                o => o.RankedMatches >= o.Candidates && o.RankedMatches <= 1_000_000,
                "Memory:RankedMatches " + "must be at least Memory:Candidates and at most 1000000."
            )
            .ValidateOnStart();
        services
            .AddOptions<SummaryOptions>()
            .BindConfiguration(SummaryOptions.Section)
            .Validate(o => o.ChunkTurns is >= 1 and <= 200, "Summaries:ChunkTurns must be between 1 and 200.")
            .Validate(o => o.FanIn is >= 2 and <= 50, "Summaries:FanIn must be between 2 and 50.")
            .Validate(o => o.MaxTokens is >= 16 and <= 8192, "Summaries:MaxTokens must be between 16 and 8192.")
            .ValidateOnStart();
        services.AddOptions<EmbeddingsOptions>().BindConfiguration(EmbeddingsOptions.Section).ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MemoryOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SummaryOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EmbeddingsOptions>>().Value;
            var generator = sp.GetRequiredService<BackendFactory>().CreateEmbeddingGenerator(options);
            if (generator is null && options.Local)
            {
                // The packaged model (ADR 44): loaded in the background after start-up (LocalEmbeddingsWarmup);
                // until then recall and knowledge search are full-text only.
                if (options.BatchSize <= 0 || options.LocalConcurrency is < 1 or > 64)
                {
                    throw new OptionsValidationException(
                        EmbeddingsOptions.Section,
                        typeof(EmbeddingsOptions),
                        ["Embeddings:BatchSize must be greater than zero and Embeddings:LocalConcurrency 1 to 64."]
                    );
                }
                return new MemoryEmbeddings(
                    new LocalEmbeddingGenerator(options.BatchSize, options.LocalConcurrency),
                    LocalEmbeddingModel.Name,
                    usage: null,
                    backend: "local",
                    options.BatchSize,
                    ready: () => LocalEmbeddingModel.IsLoaded,
                    dimensions: LocalEmbeddingModel.Dimensions
                );
            }
            return generator is null
                ? MemoryEmbeddings.None
                : new MemoryEmbeddings(
                    generator,
                    options.Model!.Trim(),
                    sp.GetRequiredService<Core.Usage.UsageMeter>(),
                    options.Backend!.Trim(),
                    options.BatchSize
                );
        });

        services.AddSingleton<IMemoryStore, MemoryStore>();
        services.AddSingleton<VectorPartitions>();
        services.AddSingleton(sp => new TermFrequencies(
            sp.GetRequiredService<IMemoryStore>(),
            sp.GetRequiredService<MemoryOptions>(),
            sp.GetRequiredService<TimeProvider>()
        ));
        services.AddSingleton<MemoryTextSearch>();
        services.AddSingleton<MemoryRecall>();
        services.AddSingleton<MemoryIndexJob>();
        services.AddJobHandler<MemoryIndexJob>(MemoryIndexJob.JobType);
        services.AddJobHandler<SummaryJob>(SummaryJob.JobType);
        services.AddHostedService<Jobs.EmbeddingsWarmupService>();
        // The queue is optional here so the server still runs where none is registered; the observer logs that it did
        // nothing.
        services.AddSingleton<INarrationObserver>(sp => new MemoryObserver(
            sp.GetService<IJobQueue>(),
            sp.GetRequiredService<Core.Stories.IStoryLog>(),
            sp.GetRequiredService<MemoryOptions>(),
            sp.GetRequiredService<SummaryOptions>(),
            sp.GetRequiredService<ILogger<MemoryObserver>>()
        ));
        return services;
    }
}
