using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Memory;

/// <summary>
/// The embedding backend named by <c>Embeddings:Backend</c>, or none. Without one, recall is full-text only;
/// the model name is stored with each vector so that changing models re-indexes instead of mixing spaces.
/// </summary>
public sealed class MemoryEmbeddings(IEmbeddingGenerator<string, Embedding<float>>? generator, string? model, int batchSize = 32)
{
    public static MemoryEmbeddings None { get; } = new(null, null);

    public bool Enabled => generator is not null && !string.IsNullOrEmpty(model);

    public string Model => model ?? "";

    /// <summary>One unit-length vector per text, in order; throws when the backend fails or answers with the wrong count.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (generator is null)
        {
            throw new InvalidOperationException("No embedding backend is configured (Embeddings:Backend).");
        }
        var vectors = new List<float[]>(texts.Count);
        foreach (var batch in texts.Chunk(Math.Max(1, batchSize)))
        {
            var embeddings = await generator.GenerateAsync(batch, cancellationToken: cancellationToken);
            if (embeddings.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding backend returned {embeddings.Count} vectors for {batch.Length} texts.");
            }
            vectors.AddRange(embeddings.Select(e => VectorMath.Normalized(e.Vector.Span)));
        }
        return [.. vectors];
    }
}
