using System.Data.Common;
using Dapper;
using StoryEngine.Core.Memory;
using StoryEngine.Storage.Memory;

namespace StoryEngine.Storage.Postgres;

/// <summary>
/// The memory index on PostgreSQL (migration 0010): the generated tsvector <c>memory_entries.search</c> carries a
/// lexeme made from the adventure id, so the GIN index returns only the adventure's entries.
/// </summary>
public sealed class PostgresMemoryIndexSql : IMemoryIndexSql
{
    // The adventure's lexeme in memory_entries.search, exactly as migration 0010 generates it.
    private const string Scope = "to_tsquery('simple', 'adv' || md5(@AdventureId))";

    // Rows of PostgreSQL's upsert per statement: one array per column, unnested by the server.
    private const int UpsertBatch = 500;

    // The scope is in the search column itself, made from the adventure id: there is nothing to look up.
    public Task<long?> ScopeAsync(DbConnection connection, string adventureId, CancellationToken cancellationToken) =>
        Task.FromResult<long?>(0);

    // The newest matches are picked through the GIN index before any is ranked. ts_rank, not ts_rank_cd: the cover
    // density cost ~5 µs a match here (3 ms for 650), ts_rank a tenth of that, at the same recall@5
    // (docs/benchmarks.md).
    public MemorySql Search(long scope, string adventureId, TextQuery query, int limit, int ranked) =>
        new(
            $"""
            SELECT c.turn_id, c.number, ts_rank(c.search, q)::float8 AS score
            FROM (SELECT m.turn_id, m.number, m.search FROM memory_entries m
                  WHERE m.adventure_id = @AdventureId AND m.search @@ ({Scope} && to_tsquery('english', @Matching))
                  ORDER BY m.number DESC LIMIT @Ranked) c
            CROSS JOIN to_tsquery('english', @Weighing) q
            ORDER BY score DESC, c.number DESC LIMIT @Limit
            """,
            new
            {
                AdventureId = adventureId,
                Matching = string.Join(" | ", query.Matching),
                Weighing = string.Join(" | ", query.Weighing),
                Ranked = (long)ranked,
                Limit = (long)limit,
            }
        );

    public MemorySql MatchTerm(long scope, string term, string parameter) =>
        new(
            "SELECT 1 FROM memory_entries WHERE adventure_id = @AdventureId"
                + $" AND search @@ ({Scope} && to_tsquery('english', @{parameter})) LIMIT @Cap",
            term
        );

    // A round trip per row made indexing a long adventure take minutes on a loaded machine (issue 5), so rows go in
    // batches of arrays, unnested by the server.
    public async Task UpsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<MemoryEntry> upserts,
        CancellationToken cancellationToken
    )
    {
        foreach (var batch in upserts.Chunk(UpsertBatch))
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    """
                    INSERT INTO memory_entries (adventure_id, turn_id, number, version, text, embedding,
                    embedding_model)
                    SELECT * FROM unnest(@AdventureIds, @TurnIds, @Numbers, @Versions, @Texts, @Embeddings,
                                         @EmbeddingModels)
                    """
                        + "\n"
                        + MemoryEntrySql.UpsertConflict,
                    new
                    {
                        AdventureIds = batch.Select(e => e.AdventureId).ToArray(),
                        TurnIds = batch.Select(e => e.TurnId).ToArray(),
                        Numbers = batch.Select(e => (long)e.Number).ToArray(),
                        Versions = batch.Select(e => e.Version).ToArray(),
                        Texts = batch.Select(e => e.Text).ToArray(),
                        Embeddings = batch
                            .Select(e => e.Embedding is null ? null : VectorMath.ToBytes(e.Embedding))
                            .ToArray(),
                        EmbeddingModels = batch.Select(e => e.EmbeddingModel).ToArray(),
                    },
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
    }
}
