using Microsoft.Extensions.AI;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.Memory;

/// <summary>
/// The embedding backend named by <c>Embeddings:Backend</c>, or none. Without one, recall is full-text only;
/// the model name is stored with each vector so that changing models re-indexes instead of mixing spaces.
/// Every request to a remote backend is a model call in the usage ledger (purpose <c>embedding</c>) of the user it was
/// made for; the local model (ADR 44) costs nothing and is not metered (<paramref name="usage"/> null).
/// </summary>
/// <param name="ready">For a model that loads in the background: true once it answers. Until then
/// <see cref="Enabled"/> is false and recall is full-text only (<see cref="PendingNote"/> says why).</param>
public sealed class MemoryEmbeddings(
    IEmbeddingGenerator<string, Embedding<float>>? generator,
    string? model,
    UsageMeter? usage,
    string? backend = null,
    int batchSize = 32,
    Func<bool>? ready = null,
    int? dimensions = null
)
{
    public static MemoryEmbeddings None { get; } = new(null, null, null);

    // Queries of the last turns, by text: recall, knowledge search and vectorized lore all embed the player's move,
    // side by side, so the first to ask embeds it and the others await the same task (one encode or request a turn).
    private readonly BoundedCache<string, Task<float[]>> _queries = new(256, TimeProvider.System);
    private readonly Lock _queriesLock = new();

    /// <summary>A model is configured (it may still be loading).</summary>
    public bool Configured => generator is not null && !string.IsNullOrEmpty(model);

    /// <summary>A model is configured and answers now.</summary>
    public bool Enabled => Configured && (ready is null || ready());

    public string Model => model ?? "";

    /// <summary>The vectors' length when known ahead (the local model); null for a remote backend.</summary>
    public int? Dimensions => dimensions;

    /// <summary>Where the vectors come from: the backend's name, or <c>local</c>.</summary>
    public string Backend => backend ?? "local";

    /// <summary>What recall says while vectors are not available, or null when they are.</summary>
    public string? PendingNote =>
        !Configured ? "full-text only: no embedding model is configured (Embeddings:Backend, Embeddings:Local)"
        : Enabled ? null
        : $"full-text only: the embedding model {Model} is still loading";

    /// <summary>
    /// As <see cref="EmbedAsync"/> for query texts (a player's move, a search), each embedded once however many
    /// callers ask for it at once or soon after: a text another caller is embedding is awaited, not embedded again.
    /// A failed embedding is forgotten, so the next caller tries again.
    /// </summary>
    public async Task<float[][]> EmbedQueriesAsync(
        IReadOnlyList<string> texts,
        string userId,
        string? adventureId,
        CancellationToken cancellationToken
    )
    {
        var tasks = new Task<float[]>[texts.Count];
        var mine = new List<(string Text, TaskCompletionSource<float[]> Source)>();
        lock (_queriesLock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (_queries.TryGet(texts[i], out var known) && !known.IsFaulted && !known.IsCanceled)
                {
                    tasks[i] = known;
                    continue;
                }
                var source = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                _queries.Set(texts[i], source.Task);
                tasks[i] = source.Task;
                mine.Add((texts[i], source));
            }
        }
        if (mine.Count > 0)
        {
            try
            {
                var vectors = await EmbedAsync([.. mine.Select(m => m.Text)], userId, adventureId, cancellationToken);
                for (var i = 0; i < mine.Count; i++)
                {
                    mine[i].Source.TrySetResult(vectors[i]);
                }
            }
            catch (Exception e)
            {
                lock (_queriesLock)
                {
                    mine.ForEach(m => _queries.Remove(m.Text));
                }
                mine.ForEach(m => m.Source.TrySetException(e));
                throw;
            }
        }
        return await Task.WhenAll(tasks).WaitAsync(cancellationToken);
    }

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
