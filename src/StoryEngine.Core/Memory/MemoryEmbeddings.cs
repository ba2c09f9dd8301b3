using Microsoft.Extensions.AI;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.Memory;

/// <summary>
/// The embedding backend named by <c>Embeddings:Backend</c>, or none. Without one, recall is full-text only;
/// the model name is stored with each vector so that changing models re-indexes instead of mixing spaces.
/// Every request is a model call in the usage ledger (purpose <c>embedding</c>) of the user it was made for.
/// </summary>
public sealed class MemoryEmbeddings(
    IEmbeddingGenerator<string, Embedding<float>>? generator,
    string? model,
    UsageMeter? usage,
    string? backend = null,
    int batchSize = 32
)
{
    public static MemoryEmbeddings None { get; } = new(null, null, null);

    public bool Enabled => generator is not null && !string.IsNullOrEmpty(model);

    public string Model => model ?? "";

    /// <summary>
    /// One unit-length vector per text, in order, for <paramref name="userId"/>'s adventure; throws when the backend
    /// fails or answers with the wrong count. Each batch is metered, a failed one too (with no tokens).
    /// </summary>
    public async Task<float[][]> EmbedAsync(
        IReadOnlyList<string> texts,
        string userId,
        string? adventureId,
        CancellationToken cancellationToken
    )
    {
        if (generator is null)
        {
            throw new InvalidOperationException("No embedding backend is configured (Embeddings:Backend).");
        }
        var vectors = new List<float[]>(texts.Count);
        foreach (var batch in texts.Chunk(Math.Max(1, batchSize)))
        {
            GeneratedEmbeddings<Embedding<float>> embeddings;
            try
            {
                embeddings = await generator.GenerateAsync(batch, cancellationToken: cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException && usage is not null)
            {
                await usage.RecordAsync(
                    ModelCall.Failed(userId, adventureId, UsagePurposes.Embedding, backend, model),
                    CancellationToken.None
                );
                throw;
            }
            if (usage is not null)
            {
                // Embedding backends bill the input only; without a reported count the meter estimates it from the
                // texts.
                await usage.RecordAsync(
                    new ModelCall(
                        userId,
                        adventureId,
                        UsagePurposes.Embedding,
                        backend,
                        model,
                        embeddings.Usage?.InputTokenCount,
                        embeddings.Usage?.InputTokenCount is null ? null : 0,
                        EstimatedPromptTokens: embeddings.Usage?.InputTokenCount is null
                            ? batch.Sum(t => (long)t.Length) / 4
                            : 0
                    ),
                    CancellationToken.None
                );
            }
            if (embeddings.Count != batch.Length)
            {
                throw new InvalidOperationException(
                    $"The embedding backend returned {embeddings.Count} vectors for " + $"{batch.Length} texts."
                );
            }
            vectors.AddRange(embeddings.Select(e => VectorMath.Normalized(e.Vector.Span)));
        }
        return [.. vectors];
    }
}
