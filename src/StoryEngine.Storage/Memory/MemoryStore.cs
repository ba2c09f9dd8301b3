using System.Text.Json;
using Dapper;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Stories;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// The recall index and summaries on either engine. Full-text search and bulk writes differ between the engines;
/// each engine's <see cref="IMemoryIndexSql"/> does those. Every query is bounded to one adventure; recall drops turns
/// undone since they were indexed.
/// </summary>
public sealed partial class MemoryStore(IStorageProvider provider) : IMemoryStore
{
    private readonly SummaryCache _summaries = new();

    public async Task<IReadOnlyList<IndexedTurn>> ListIndexedAsync(
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string TurnId, long Version, string? Model)>(
            new CommandDefinition(
                "SELECT turn_id, version, embedding_model FROM memory_entries WHERE adventure_id = @AdventureId",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new IndexedTurn(r.TurnId, r.Version, r.Model)).ToArray();
    }

    public async Task ApplyAsync(
        string adventureId,
        IReadOnlyList<MemoryEntry> upserts,
        IReadOnlyList<string> removedTurnIds,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await WriteEntriesAsync(connection, transaction, adventureId, upserts, removedTurnIds, cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO memory_generations (adventure_id, generation) VALUES (@AdventureId, 1)
                ON CONFLICT (adventure_id) DO UPDATE SET generation = memory_generations.generation + 1
                """,
                new { AdventureId = adventureId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task WriteEntriesAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        string adventureId,
        IReadOnlyList<MemoryEntry> upserts,
        IReadOnlyList<string> removedTurnIds,
        CancellationToken cancellationToken
    )
    {
        if (upserts.Count > 0)
        {
            await provider.Dialect.MemoryIndex.UpsertAsync(connection, transaction, upserts, cancellationToken);
        }
        if (removedTurnIds.Count > 0)
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM memory_entries WHERE adventure_id = @AdventureId AND turn_id = @TurnId",
                    removedTurnIds.Select(id => new { AdventureId = adventureId, TurnId = id }),
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
    }

    public async Task<long> GetGenerationAsync(string adventureId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await GenerationAsync(connection, adventureId, cancellationToken);
    }

    public async Task<StoredVectors> LoadVectorsAsync(
        string adventureId,
        string model,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        // The generation is read first: a write in between makes the cache reload once more, never keep old vectors.
        var generation = await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition(
                "SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        ) ?? 0;
        var rows = (
            await connection.QueryAsync<(string TurnId, long Number, byte[] Embedding)>(
                new CommandDefinition(
                    "SELECT turn_id, number, embedding FROM memory_entries WHERE adventure_id = @AdventureId AND "
                        + "embedding_model = @Model AND embedding IS NOT NULL ORDER BY number",
                    new { AdventureId = adventureId, Model = model },
                    cancellationToken: cancellationToken
                )
            )
        ).ToArray();
        var dimensions = rows.Length == 0 ? 0 : rows[0].Embedding.Length / sizeof(float);
        var usable = rows.Where(r => r.Embedding.Length == dimensions * sizeof(float)).ToArray();
        var matrix = new float[usable.Length * dimensions];
        for (var i = 0; i < usable.Length; i++)
        {
            Buffer.BlockCopy(
                usable[i].Embedding,
                0,
                matrix,
                i * dimensions * sizeof(float),
                dimensions * sizeof(float)
            );
        }
        return new StoredVectors(
            generation,
            usable.Select(r => r.TurnId).ToArray(),
            usable.Select(r => (int)r.Number).ToArray(),
            matrix,
            dimensions
        );
    }

    public async Task<IReadOnlyList<TurnRecord>> GetTurnsAsync(
        string adventureId,
        IReadOnlyList<string> turnIds,
        CancellationToken cancellationToken
    )
    {
        if (turnIds.Count == 0)
        {
            return [];
        }
        await using var connection = await provider.OpenAsync(cancellationToken);
        var bodies = await connection.QueryAsync<string>(
            new CommandDefinition(
                "SELECT body FROM story_turns WHERE adventure_id = @AdventureId AND turn_id "
                    + provider.Dialect.InList("TurnIds"),
                new { AdventureId = adventureId, TurnIds = turnIds.ToArray() },
                cancellationToken: cancellationToken
            )
        );
        return bodies.Select(b => JsonSerializer.Deserialize<TurnRecord>(b, StoryEventJson.Options)!).ToArray();
    }

    public async Task<IReadOnlyList<StorySummary>> ListSummariesAsync(
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var stamp = await connection.QuerySingleAsync<SummaryCache.Stamp>(
            new CommandDefinition(
                "SELECT COUNT(*) AS Count, CAST(COALESCE(SUM(created_at), 0) AS BIGINT) AS CreatedSum, "
                    + "CAST(COALESCE(SUM(to_turn), 0) AS BIGINT) AS ToTurnSum, (SELECT g.summaries_checked_through "
                    + "FROM memory_generations g WHERE g.adventure_id = @AdventureId) AS Through, (SELECT "
                    + "g.summaries_version FROM memory_generations g WHERE g.adventure_id = @AdventureId) AS Version "
                    + "FROM story_summaries WHERE adventure_id = @AdventureId",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        );
        if (_summaries.Get(adventureId, stamp) is { } cached)
        {
            return cached;
        }
        var rows = await connection.QueryAsync<(
            long Layer,
            long FromTurn,
            long ToTurn,
            string Text,
            string SourceHash,
            long CreatedAt
        )>(
            new CommandDefinition(
                "SELECT layer, from_turn, to_turn, text, source_hash, created_at FROM story_summaries WHERE "
                    + "adventure_id = @AdventureId ORDER BY layer, from_turn",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        );
        var summaries = rows.Select(r => new StorySummary(
                adventureId,
                (int)r.Layer,
                (int)r.FromTurn,
                (int)r.ToTurn,
                r.Text,
                r.SourceHash,
                DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)
            ))
            .ToArray();
        _summaries.Put(adventureId, stamp, summaries);
        return summaries;
    }

    private static async Task WriteSummariesAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        string adventureId,
        IReadOnlyList<StorySummary> stale,
        IReadOnlyList<StorySummary> added,
        CancellationToken cancellationToken
    )
    {
        if (stale.Count > 0)
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM story_summaries WHERE adventure_id = @AdventureId AND layer = @Layer AND from_turn = "
                        + "@FromTurn",
                    stale.Select(s => new
                    {
                        AdventureId = adventureId,
                        Layer = (long)s.Layer,
                        FromTurn = (long)s.FromTurn,
                    }),
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
        if (added.Count > 0)
        {
            // A range already stored stays as it is (the cursor check makes that rare: a job it overtook plans again).
            await connection.ExecuteAsync(
                new CommandDefinition(
                    """
                    INSERT INTO story_summaries (adventure_id, layer, from_turn, to_turn, text, source_hash, created_at)
                    VALUES (@AdventureId, @Layer, @FromTurn, @ToTurn, @Text, @SourceHash, @CreatedAt)
                    ON CONFLICT (adventure_id, layer, from_turn) DO NOTHING
                    """,
                    added.Select(s => new
                    {
                        AdventureId = adventureId,
                        Layer = (long)s.Layer,
                        FromTurn = (long)s.FromTurn,
                        ToTurn = (long)s.ToTurn,
                        s.Text,
                        s.SourceHash,
                        CreatedAt = s.CreatedAt.ToUnixTimeMilliseconds(),
                    }),
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
    }

    public async Task<IReadOnlyList<(string AdventureId, string OwnerId)>> ListUnembeddedAsync(
        string model,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string AdventureId, string OwnerId)>(
            new CommandDefinition(
                """
                SELECT a.id, a.owner_id FROM adventures a
                LEFT JOIN memory_generations g ON g.adventure_id = a.id
                WHERE a.turn_count > 0 AND (g.indexed_model IS NULL OR g.indexed_model <> @Model)
                ORDER BY a.id LIMIT @Limit
                """,
                new { Model = model, Limit = (long)limit },
                cancellationToken: cancellationToken
            )
        );
        return rows.ToArray();
    }
}
