using Microsoft.Extensions.Logging;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>One earlier turn that may be recalled, and why: its place in each ranking and the fused score.</summary>
/// <param name="TextRank">1-based place in the full-text ranking, null when it was not a full-text hit.</param>
/// <param name="VectorRank">1-based place in the similarity ranking, null when not a hit (or no embeddings).</param>
/// <param name="Similarity">Cosine similarity to the query, when it was a vector hit.</param>
/// <param name="Score">Reciprocal rank fusion: Σ 1 / (k + rank) over the rankings it appears in.</param>
public sealed record RecallCandidate(TurnRecord Turn, double Score, int? TextRank, int? VectorRank, float? Similarity);

/// <summary>The candidates for one prompt, best first, and what the recall could not do (shown by the context
/// inspector).</summary>
/// <param name="MaxRecalled">How many may go into the prompt (<see cref="MemoryOptions.RecallCount"/>).</param>
/// <param name="MaxTokens">How many prompt tokens they may use (<see cref="MemoryOptions.RecallTokens"/>).</param>
/// <param name="Terms">The words full-text search looked for (matched or weighed): the query's words less those <see
/// cref="TermSelection"/> left out.</param>
public sealed record RecallResult(
    string Query,
    IReadOnlyList<string> Terms,
    IReadOnlyList<RecallCandidate> Candidates,
    string? Note,
    int MaxRecalled,
    int MaxTokens
)
{
    public static RecallResult Empty(string? note) => new("", [], [], note, 0, 0);
}

/// <summary>
/// Finds earlier turns of the same adventure that bear on the player's move: full-text search always, similarity
/// over the adventure's own vectors when an embedding backend is configured, fused by reciprocal rank. Only the
/// adventure's own partition is searched, and only turns that are live now, so a fork never recalls its sibling.
/// </summary>
public sealed partial class MemoryRecall(
    IMemoryStore store,
    MemoryEmbeddings embeddings,
    MemoryTextSearch textSearch,
    VectorPartitions vectors,
    MemoryIndexJob indexer,
    MemoryOptions options,
    ILogger<MemoryRecall> logger
)
{
    /// <summary>Candidates from turns numbered below <paramref name="beforeTurn"/>; <paramref name="transcript"/> saves
    /// re-reading turns already loaded.</summary>
    /// <param name="ownerId">The adventure's owner, whose usage ledger the query's embedding goes in.</param>
    public async Task<RecallResult> RecallAsync(
        string adventureId,
        string ownerId,
        int beforeTurn,
        string query,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    )
    {
        if (!options.Enabled || options.RecallCount <= 0)
        {
            return RecallResult.Empty("memory is off (Memory:Enabled, Memory:RecallCount)");
        }
        var terms = MemoryText.Terms(query);
        // The query's embedding is started first and not awaited yet: a backend answers over the network while the
        // full-text query runs, so recall waits for the slower of the two, not both. (No thread is taken for it: an
        // in-process embedder simply runs to completion here, which costs less than a hop to another core.)
        var embedding =
            embeddings.Enabled && query.Trim().Length > 0
                ? EmbedQueryAsync(adventureId, ownerId, query, cancellationToken)
                : null;
        TextSearch text;
        long generation;
        try
        {
            // The search brings the adventure's index generation back with its hits, which the vector cache then
            // checks.
            text = await textSearch.SearchAsync(adventureId, terms, cancellationToken);
            generation = text.Generation ?? await store.GetGenerationAsync(adventureId, cancellationToken);
            if (generation == 0 && _indexed.TryAdd(adventureId, true))
            {
                // Never indexed (a fork's copied history, say): index its text now so this very prompt can recall it.
                // Once per adventure and process: an adventure with nothing to remember writes nothing and stays at 0.
                await indexer.SyncAsync(adventureId, ownerId, withVectors: false, cancellationToken);
                textSearch.Forget(adventureId); // its words were counted in an empty index
                text = await textSearch.SearchAsync(adventureId, terms, cancellationToken);
                generation = text.Generation ?? await store.GetGenerationAsync(adventureId, cancellationToken);
            }
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
        var textHits = text.Hits;
        var (vectorHits, note) = embedding is null
            ? ([], embeddings.PendingNote)
            : await VectorHitsAsync(adventureId, generation, embedding, cancellationToken);

        var fused = Fuse(
            textHits.Where(h => h.Number < beforeTurn).Select(h => h.TurnId).ToArray(),
            vectorHits.Where(h => h.Number < beforeTurn).ToArray()
        );
        var top = fused
            .OrderByDescending(f => f.Value.Score)
            .ThenByDescending(f => f.Value.Number)
            .Take(options.Candidates)
            .ToArray();
        var known = transcript.ToDictionary(t => t.TurnId, StringComparer.Ordinal);
        // Only as many turns are read as the prompt could take (twice the count, for undone ones); the rest are not
        // shown.
        var missing = top.Select(t => t.Key)
            .Where(id => !known.ContainsKey(id))
            .Take(Math.Max(1, options.RecallCount * 2))
            .ToArray();
        foreach (
            var turn in missing.Length == 0 ? [] : await store.GetTurnsAsync(adventureId, missing, cancellationToken)
        )
        {
            known[turn.TurnId] = turn;
        }
        // The turn as it is now: an edit since indexing shows its new text, an undo since indexing drops it.
        var candidates = top.Where(t => known.TryGetValue(t.Key, out var turn) && !turn.Undone)
            .Select(t => new RecallCandidate(
                known[t.Key],
                t.Value.Score,
                t.Value.TextRank,
                t.Value.VectorRank,
                t.Value.Similarity
            ))
            .ToArray();
        return new RecallResult(
            query,
            text.Query.Weighing,
            candidates,
            note,
            options.RecallCount,
            options.RecallTokens
        );
    }

    private async Task<float[]> EmbedQueryAsync(
        string adventureId,
        string ownerId,
        string query,
        CancellationToken cancellationToken
    ) => (await embeddings.EmbedQueriesAsync([query], ownerId, adventureId, cancellationToken))[0];

    private async Task<(
        IReadOnlyList<(string TurnId, int Number, float Similarity)> Hits,
        string? Note
    )> VectorHitsAsync(
        string adventureId,
        long generation,
        Task<float[]> embedding,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var queryVector = await embedding;
            var partition = await vectors.GetAsync(adventureId, embeddings.Model, generation, cancellationToken);
            return (
                VectorMath
                    .Nearest(partition.Matrix, partition.Dimensions, queryVector, options.Candidates + 1)
                    .Select(h => (partition.TurnIds[h.Row], partition.Numbers[h.Row], h.Similarity))
                    .ToArray(),
                null
            );
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            // Any failure of the embedding backend (refused, timed out, malformed answer): recall must never cost the
            // player their turn; the inspector says what was missing and why.
            LogEmbeddingFailed(logger, e, adventureId);
            return ([], "vector recall skipped: the embedding backend failed (" + e.Message + "); full-text only");
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _indexed = new(
        StringComparer.Ordinal
    );

    private Dictionary<string, Fused> Fuse(
        IReadOnlyList<string> textRanking,
        IReadOnlyList<(string TurnId, int Number, float Similarity)> vectorRanking
    )
    {
        var fused = new Dictionary<string, Fused>(StringComparer.Ordinal);
        for (var i = 0; i < textRanking.Count; i++)
        {
            var current = fused.GetValueOrDefault(textRanking[i]) ?? new Fused();
            fused[textRanking[i]] = current with
            {
                Score = current.Score + 1.0 / (options.FusionK + i + 1),
                TextRank = i + 1,
            };
        }
        for (var i = 0; i < vectorRanking.Count; i++)
        {
            var (id, number, similarity) = vectorRanking[i];
            var current = fused.GetValueOrDefault(id) ?? new Fused();
            fused[id] = current with
            {
                Score = current.Score + 1.0 / (options.FusionK + i + 1),
                VectorRank = i + 1,
                Similarity = similarity,
                Number = number,
            };
        }
        return fused;
    }

    private sealed record Fused(
        double Score = 0,
        int? TextRank = null,
        int? VectorRank = null,
        float? Similarity = null,
        int Number = 0
    );

    [LoggerMessage(
        EventId = LogEvents.Memory.EmbeddingFailed,
        Level = LogLevel.Warning,
        Message = "Vector recall " + "for adventure {AdventureId} failed; using full-text recall only"
    )]
    private static partial void LogEmbeddingFailed(ILogger logger, Exception exception, string adventureId);
}
