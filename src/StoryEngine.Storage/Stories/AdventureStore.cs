using Dapper;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Storage.Stories;

public sealed class AdventureStore(IStorageProvider provider) : IAdventureStore
{
    public async Task<Adventure?> GetAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AdventureRow>(
            new CommandDefinition(
                $"SELECT {AdventureRow.Columns} FROM adventures WHERE id = @Id AND owner_id = @OwnerId",
                new { Id = id, OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToAdventure();
    }

    // Scalar subqueries, not a join: one statement, so one snapshot, in the same SQL on both engines.
    private const string TurnStateSql =
        $"SELECT {AdventureRow.Columns}, "
        + "(SELECT t.body FROM story_turns t WHERE t.adventure_id = a.id AND t.undone = 0 "
        + "ORDER BY t.number DESC LIMIT 1) AS Newest, "
        + "(SELECT t.body FROM story_turns t WHERE t.adventure_id = a.id AND t.turn_id = @TurnId) AS Target "
        + "FROM adventures a WHERE a.id = @Id AND a.owner_id = @OwnerId";

    public async Task<TurnState?> GetTurnStateAsync(
        string ownerId,
        string id,
        string? turnId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var command = new CommandDefinition(
            TurnStateSql,
            new
            {
                Id = id,
                OwnerId = ownerId,
                TurnId = turnId,
            },
            cancellationToken: cancellationToken
        );
        var rows = await connection.QueryAsync<AdventureRow, TurnBodies, (AdventureRow Row, TurnBodies? Turns)>(
            command,
            (row, turns) => (row, turns),
            splitOn: "Newest"
        );
        if (rows.FirstOrDefault() is not { Row: not null } found)
        {
            return null;
        }
        return new TurnState(found.Row.ToAdventure(), Turn(found.Turns?.Newest), Turn(found.Turns?.Target));
    }

    public async Task<Page<Adventure>> ListAsync(string ownerId, ListQuery query, CancellationToken cancellationToken)
    {
        var sql =
            $"SELECT {AdventureRow.Columns} FROM adventures WHERE owner_id = @OwnerId"
            + (query.AfterId is null ? "" : " AND id < @AfterId")
            + (query.Text is null ? "" : @" AND LOWER(title) LIKE @Text ESCAPE '\'")
            + " ORDER BY id DESC LIMIT @Take";
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<AdventureRow>(
                new CommandDefinition(
                    sql,
                    new
                    {
                        OwnerId = ownerId,
                        query.AfterId,
                        Text = query.Text is null
                            ? null
                            : "%"
                                + query
                                    .Text.ToLowerInvariant()
                                    .Replace(@"\", @"\\", StringComparison.Ordinal)
                                    .Replace("%", @"\%", StringComparison.Ordinal)
                                    .Replace("_", @"\_", StringComparison.Ordinal)
                                + "%",
                        Take = query.Limit + 1,
                    },
                    cancellationToken: cancellationToken
                )
            )
        ).ToList();
        var items = rows.Take(query.Limit).Select(r => r.ToAdventure()).ToArray();
        return new Page<Adventure>(items, rows.Count > query.Limit ? Cursor.Encode(items[^1].Id) : null);
    }

    public async Task<IReadOnlyList<Adventure>> ListRecentAsync(
        string ownerId,
        int limit,
        CancellationToken cancellationToken
    )
    {
        // updated_at moves with every append to the story log, so it is the last activity. The owner index narrows
        // to one person's adventures; sorting those few is cheaper than another index to keep on every turn.
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AdventureRow>(
            new CommandDefinition(
                $"SELECT {AdventureRow.Columns} FROM adventures WHERE owner_id = @OwnerId "
                    + "ORDER BY updated_at DESC, id DESC LIMIT @Limit",
                new { OwnerId = ownerId, Limit = limit },
                cancellationToken: cancellationToken
            )
        );
        return [.. rows.Select(r => r.ToAdventure())];
    }

    public async Task<int> DeleteAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM adventures WHERE id = @Id " + "AND owner_id = @OwnerId",
                new { Id = id, OwnerId = ownerId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        if (deleted == 1)
        {
            // The recall index and summaries (issue 5) go with the story they were made from.
            foreach (
                var table in new[]
                {
                    "story_events",
                    "story_turns",
                    "narration_drafts",
                    "narration_leases", // issue 21: a finished lease lingers two minutes
                    "narration_contexts",
                    "lore_activations",
                    "memory_entries",
                    "memory_generations",
                    "story_summaries",
                }
            )
            {
                await connection.ExecuteAsync(
                    new CommandDefinition(
                        $"DELETE FROM {table} WHERE adventure_id = " + "@Id",
                        new { Id = id },
                        transaction,
                        cancellationToken: cancellationToken
                    )
                );
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private static TurnRecord? Turn(string? body) =>
        body is null ? null : System.Text.Json.JsonSerializer.Deserialize<TurnRecord>(body, StoryEventJson.Options);

    private sealed class TurnBodies
    {
        public string? Newest { get; init; }
        public string? Target { get; init; }
    }
}
