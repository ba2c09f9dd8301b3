using Microsoft.Extensions.Logging;
using StoryEngine.Core.Memory;

namespace StoryEngine.Core.Knowledge;

/// <summary>One passage found, and why: its place in each ranking and the fused score.</summary>
/// <param name="TextRank">1-based place in the full-text ranking; null when it was not a full-text hit.</param>
/// <param name="VectorRank">1-based place in the similarity ranking; null when not a hit (or no vectors).</param>
/// <param name="Similarity">Cosine similarity to the query, when it was a vector hit.</param>
/// <param name="Score">Reciprocal rank fusion: Σ 1 / (k + rank) over the rankings it appears in.</param>
public sealed record KnowledgeHit(
    KnowledgePassage Passage,
    double Score,
    int? TextRank,
    int? VectorRank,
    float? Similarity,
    double? TextScore
);

/// <summary>The passages for one query, best first, and what the search could not do (no vectors yet, say).</summary>
public sealed record KnowledgeResult(string Query, IReadOnlyList<KnowledgeHit> Hits, string? Note);

/// <summary>
/// Finds passages of a world's documents that bear on a question: full-text search always, similarity over the
/// world's vectors when an embedding model answers, fused by reciprocal rank as turn recall does (ADR 19). The world's
/// vectors are read once and kept while its generation is unchanged.
/// </summary>
public sealed partial class KnowledgeSearch(
    IKnowledgeStore store,
    MemoryEmbeddings embeddings,
    KnowledgeOptions options,
    MemoryOptions memory,
    TimeProvider clock,
    ILogger<KnowledgeSearch> logger
)
{
    private readonly BoundedCache<(string World, string Model), WorldVectors> _vectors = new(
        options.CachedWorlds,
        clock
    );

    // Word counts per world, counted again whenever the world's passages change (documents change rarely).
    private readonly TermFrequencies _frequencies = new(store, memory, clock);

    /// <param name="ownerId">The world's owner: whose passages are searched, and whose usage ledger a remote
    /// backend's query embedding goes in.</param>
    /// <param name="context">More text whose meaning counts (a turn's recent story): a ranking of its own by
    /// similarity, fused with the others. Its words are not searched.</param>
    public async Task<KnowledgeResult> SearchAsync(
        string ownerId,
        string worldId,
        string query,
        int limit,
        CancellationToken cancellationToken,
        string? context = null
    )
    {
        var terms = MemoryText.Terms(query);
        var candidates = Math.Max(options.Candidates, limit);
        // A world whose documents never had a passage costs one small read, not an embedding (most worlds, every turn).
        var generation = await store.GetGenerationAsync(worldId, cancellationToken);
        if (generation == 0)
        {
            return new KnowledgeResult(query, [], "the world has no documents");
        }
        string[] meanings = string.IsNullOrWhiteSpace(context) ? [query] : [query, context];
        var embedding =
            embeddings.Enabled && query.Trim().Length > 0
                ? embeddings.EmbedQueriesAsync(meanings, ownerId, null, cancellationToken)
                : null;
        IReadOnlyList<KnowledgeTextHit> textHits;
        try
        {
            textHits = await SearchTextAsync(ownerId, worldId, terms, candidates, generation, cancellationToken);
        }
        catch when (embedding is not null)
        {
            await embedding.ContinueWith(
                _ => { },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default
            );
            throw;
        }
        var note = embeddings.PendingNote;
        var vectorRankings = new List<IReadOnlyList<(long ChunkId, float Similarity)>>();
        if (embedding is not null)
        {
            try
            {
                var queryVectors = await embedding;
                var key = (worldId, embeddings.Model);
                if (!_vectors.TryGet(key, out var vectors) || vectors.Stored.Generation != generation)
                {
                    var stored = await store.LoadVectorsAsync(worldId, embeddings.Model, cancellationToken);
                    vectors = new WorldVectors(
                        stored,
                        stored.ChunkIds.Length >= options.SketchFromPassages && stored.Dimensions > 0
                            ? VectorSketch.Build(stored.Matrix, stored.Dimensions)
                            : null
                    );
                    _vectors.Set(key, vectors);
                }
                foreach (var queryVector in queryVectors)
                {
                    vectorRankings.Add(
                        vectors
                            .Nearest(queryVector, candidates, options.SketchShortlist)
                            .Select(h => (vectors.Stored.ChunkIds[h.Row], h.Similarity))
                            .ToArray()
                    );
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                LogEmbeddingFailed(logger, e, worldId);
                note = "vector search skipped: the embedding backend failed (" + e.Message + "); full-text only";
            }
        }

        var fused = new Dictionary<long, KnowledgeHit>();
        for (var i = 0; i < textHits.Count; i++)
        {
            fused[textHits[i].ChunkId] = new KnowledgeHit(
                null!,
                1.0 / (memory.FusionK + i + 1),
                i + 1,
                null,
                null,
                textHits[i].Score
            );
        }
        // The query's ranking names the rank and similarity shown; the context's only adds to the score (and to the
        // similarity when it is closer).
        foreach (var ranking in vectorRankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                var (id, similarity) = ranking[i];
                var current = fused.GetValueOrDefault(id) ?? new KnowledgeHit(null!, 0, null, null, null, null);
                fused[id] = current with
                {
                    Score = current.Score + 1.0 / (memory.FusionK + i + 1),
                    VectorRank = current.VectorRank ?? (ranking == vectorRankings[0] ? i + 1 : null),
                    Similarity = Math.Max(current.Similarity ?? float.MinValue, similarity),
                };
            }
        }
        // Twice the limit is read, for passages of trashed documents that the read drops.
        var top = fused.OrderByDescending(f => f.Value.Score).ThenBy(f => f.Key).Take(limit * 2).ToArray();
        var passages = (
            await store.GetPassagesAsync(ownerId, worldId, [.. top.Select(t => t.Key)], cancellationToken)
        ).ToDictionary(p => p.ChunkId);
        var hits = top.Where(t => passages.ContainsKey(t.Key))
            .Select(t => t.Value with { Passage = passages[t.Key] })
            .Take(limit)
            .ToArray();
        return new KnowledgeResult(query, hits, note);
    }

    private async Task<IReadOnlyList<KnowledgeTextHit>> SearchTextAsync(
        string ownerId,
        string worldId,
        IReadOnlyList<string> terms,
        int candidates,
        long generation,
        CancellationToken cancellationToken
    )
    {
        if (terms.Count == 0)
        {
            return [];
        }
        var query = await _frequencies.SelectAsync(
            worldId,
            terms,
            options.RankedMatches,
            cancellationToken,
            generation
        );
        return query.Matching.Count == 0
            ? []
            : await store.SearchTextAsync(
                ownerId,
                worldId,
                query,
                candidates,
                options.RankedMatches,
                cancellationToken
            );
    }

    /// <summary>A world's vectors as read, and their sketch when there are enough of them to need one.</summary>
    private sealed record WorldVectors(KnowledgeVectors Stored, VectorSketch? Sketch)
    {
        public IReadOnlyList<(int Row, float Similarity)> Nearest(float[] query, int count, int shortlist) =>
            Sketch is null
                ? VectorMath.Nearest(Stored.Matrix, Stored.Dimensions, query, count)
                : Sketch.Nearest(Stored.Matrix, query, count, shortlist);
    }

    [LoggerMessage(
        EventId = LogEvents.Knowledge.EmbeddingFailed,
        Level = LogLevel.Warning,
        Message = "Vector search of world {WorldId}'s documents failed; using full-text search only"
    )]
    private static partial void LogEmbeddingFailed(ILogger logger, Exception exception, string worldId);
}
