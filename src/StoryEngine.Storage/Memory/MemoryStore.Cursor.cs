using System.Data.Common;
using Dapper;
using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// The index's and the summaries' cursors (ADR 30), kept beside the generation in <c>memory_generations</c> so that
/// they
/// go wherever the memory goes (deleted with the adventure, erased with the account), each moved only in the
/// transaction that writes what it covers and only from the value its writer read.
/// </summary>
public sealed partial class MemoryStore
{
    // Ids per statement: well under SQLite's variable limit, and a small array for PostgreSQL.
    private const int IdBatch = 500;

    public async Task<IReadOnlyList<IndexedTurn>> ListIndexedAsync(
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
        var indexed = new List<IndexedTurn>(turnIds.Count);
        foreach (var batch in turnIds.Chunk(IdBatch))
        {
            var rows = await connection.QueryAsync<(string TurnId, long Version, string? Model)>(
                new CommandDefinition(
                    "SELECT turn_id, version, embedding_model FROM memory_entries WHERE adventure_id = @AdventureId "
                        + "AND "
                        + "turn_id "
                        + provider.Dialect.InList("TurnIds"),
                    new { AdventureId = adventureId, TurnIds = batch },
                    cancellationToken: cancellationToken
                )
            );
            indexed.AddRange(rows.Select(r => new IndexedTurn(r.TurnId, r.Version, r.Model)));
        }
        return indexed;
    }

    public async Task<IndexCursor?> GetCursorAsync(string adventureId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await ReadIndexCursorAsync(connection, null, adventureId, cancellationToken);
    }

    public Task<bool> ApplyAsync(
        string adventureId,
        IReadOnlyList<MemoryEntry> upserts,
        IReadOnlyList<string> removedTurnIds,
        IndexCursor? expected,
        IndexCursor next,
        CancellationToken cancellationToken
    ) =>
        WriteIfAsync(
            adventureId,
            async (connection, transaction) =>
                await ReadIndexCursorAsync(connection, transaction, adventureId, cancellationToken) == expected,
            async (connection, transaction) =>
            {
                await WriteEntriesAsync(
                    connection,
                    transaction,
                    adventureId,
                    upserts,
                    removedTurnIds,
                    cancellationToken
                );
                // A write that changes no entry leaves the generation alone, so recall's caches (vectors, word counts)
                // stay warm.
                await connection.ExecuteAsync(
                    new CommandDefinition(
                        "UPDATE memory_generations SET generation = generation + @Step, indexed_through = @Through, "
                            + "indexed_model = @Model WHERE adventure_id = @AdventureId",
                        new
                        {
                            AdventureId = adventureId,
                            Step = upserts.Count + removedTurnIds.Count > 0 ? 1L : 0L,
                            Through = next.Sequence,
                            Model = next.EmbeddingModel,
                        },
                        transaction,
                        cancellationToken: cancellationToken
                    )
                );
            },
            cancellationToken
        );

    public async Task<SummaryCursor?> GetSummaryCursorAsync(string adventureId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await ReadSummaryCursorAsync(connection, null, adventureId, cancellationToken);
    }

    public Task<bool> ReplaceSummariesAsync(
        string adventureId,
        IReadOnlyList<StorySummary> stale,
        IReadOnlyList<StorySummary> added,
        SummaryCursor? expected,
        SummaryCursor next,
        CancellationToken cancellationToken
    ) =>
        WriteIfAsync(
            adventureId,
            async (connection, transaction) =>
                await ReadSummaryCursorAsync(connection, transaction, adventureId, cancellationToken) == expected,
            async (connection, transaction) =>
            {
                await WriteSummariesAsync(connection, transaction, adventureId, stale, added, cancellationToken);
                await connection.ExecuteAsync(
                    new CommandDefinition(
                        "UPDATE memory_generations SET summaries_checked_through = @Through, summaries_version = "
                            + "@Version WHERE adventure_id = @AdventureId",
                        new
                        {
                            AdventureId = adventureId,
                            Through = next.Sequence,
                            next.Version,
                        },
                        transaction,
                        cancellationToken: cancellationToken
                    )
                );
            },
            cancellationToken
        );

    /// <summary>Runs <paramref name="write"/> in one transaction when <paramref name="matches"/> holds inside it; false
    /// (nothing written) when it does not.</summary>
    private async Task<bool> WriteIfAsync(
        string adventureId,
        Func<DbConnection, DbTransaction, Task<bool>> matches,
        Func<DbConnection, DbTransaction, Task> write,
        CancellationToken cancellationToken
    )
    {
        await using var session = await provider.OpenForBookkeepingAsync(cancellationToken);
        var connection = session.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The row exists before it is read so that PostgreSQL can lock it: two writers of one adventure (the index job
        // and
        // a recall's inline sync, two summary jobs, a job whose lease ran out) then decide one after the other. SQLite
        // has one writer anyway.
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO memory_generations (adventure_id, generation) VALUES (@AdventureId, 0) ON CONFLICT "
                    + "(adventure_id) DO NOTHING",
                new { AdventureId = adventureId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        if (!await matches(connection, transaction))
        {
            // Another writer got there since this one read the cursor: what this one computed may be older than what is
            // there.
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        await write(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<IndexCursor?> ReadIndexCursorAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long? Through, string? Model)>(
            new CommandDefinition(
                "SELECT indexed_through, indexed_model FROM memory_generations WHERE adventure_id = "
                    + "@AdventureId"
                    + Locked(transaction),
                new { AdventureId = adventureId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        return row.Through is { } through ? new IndexCursor(through, row.Model) : null;
    }

    private async Task<SummaryCursor?> ReadSummaryCursorAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long? Through, long? Version)>(
            new CommandDefinition(
                "SELECT summaries_checked_through, summaries_version FROM memory_generations WHERE adventure_id = "
                    + "@AdventureId"
                    + Locked(transaction),
                new { AdventureId = adventureId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        return row.Through is { } through ? new SummaryCursor(through, row.Version ?? 0) : null;
    }

    private string Locked(DbTransaction? transaction) => transaction is not null ? provider.Dialect.ForUpdate : "";
}
