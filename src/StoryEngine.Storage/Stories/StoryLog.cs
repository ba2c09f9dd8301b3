using System.Data.Common;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Stories;

namespace StoryEngine.Storage.Stories;

/// <summary>
/// The story log on either engine. An append moves <c>adventures.last_sequence</c> forward with a compare in the
/// same transaction that inserts the events and rewrites the turns they touched: all or nothing, and never two
/// writers past each other.
/// </summary>
public sealed class StoryLog(IStorageProvider provider) : IStoryLog
{
    // On a single-writer engine, concurrent appends are committed together (issue 19); elsewhere each commits alone.
    private readonly AppendBatcher? _batcher = provider.SingleWriter ? new AppendBatcher(provider) : null;

    public async Task CreateAsync(
        Adventure adventure,
        IReadOnlyList<StoryEvent> events,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO adventures (id, owner_id, world_id, title, body, last_sequence, turn_count, created_at,
                updated_at)
                VALUES (@Id, @OwnerId, @WorldId, @Title, @Body, @LastSequence, @TurnCount, @CreatedAt, @UpdatedAt)
                """,
                AdventureRow.From(adventure),
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await UpsertTurnsAsync(connection, transaction, turns, cancellationToken);
        if (adventure.ForkedFromId is { } parent && turns.Count > 0)
        {
            // A fork inherits what lore its turns held, so sticky and cooldown carry on as in the parent (ADR 0015).
            await connection.ExecuteAsync(
                new CommandDefinition(
                    """
                    INSERT INTO lore_activations (adventure_id, turn_id, alternative, turn_number, entries)
                    SELECT @Id, turn_id, alternative, turn_number,
                    entries FROM lore_activations WHERE adventure_id = @Parent AND turn_number <= @Last
                    """,
                    new
                    {
                        adventure.Id,
                        Parent = parent,
                        Last = (long)turns.Max(t => t.Number),
                    },
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AppendAsync(
        string adventureId,
        long expectedLastSequence,
        IReadOnlyList<StoryEvent> events,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    )
    {
        if (events.Count == 0)
        {
            return;
        }
        if (_batcher is not null)
        {
            await _batcher.WriteAsync(
                (connection, transaction, token) =>
                    AppendInTransactionAsync(
                        connection,
                        transaction,
                        adventureId,
                        expectedLastSequence,
                        events,
                        turns,
                        token
                    ),
                cancellationToken
            );
            return;
        }
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AppendInTransactionAsync(
            connection,
            transaction,
            adventureId,
            expectedLastSequence,
            events,
            turns,
            cancellationToken
        );
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task AppendInTransactionAsync(
        DbConnection connection,
        DbTransaction transaction,
        string adventureId,
        long expectedLastSequence,
        IReadOnlyList<StoryEvent> events,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    )
    {
        var newTurns = events.Count(e => e.Type is "ActionTaken");
        var moved = await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE adventures SET last_sequence = @Last, turn_count = turn_count + @NewTurns, updated_at = @At "
                    + "WHERE id = @Id AND last_sequence = @Expected",
                new
                {
                    Id = adventureId,
                    Expected = expectedLastSequence,
                    Last = events[^1].Sequence,
                    NewTurns = (long)newTurns,
                    At = events[^1].At.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        if (moved != 1)
        {
            throw new StoryConflictException(adventureId);
        }
        await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await UpsertTurnsAsync(connection, transaction, turns, cancellationToken);
    }

    public async Task AppendHeaderChangeAsync(
        Adventure header,
        long expectedLastSequence,
        StoryEvent change,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = AdventureRow.From(header);
        var moved = await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE adventures SET title = @Title, body = @Body, last_sequence = @Last, updated_at = @At "
                    + "WHERE id = @Id AND last_sequence = @Expected",
                new
                {
                    row.Id,
                    row.Title,
                    row.Body,
                    Expected = expectedLastSequence,
                    Last = change.Sequence,
                    At = change.At.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        if (moved != 1)
        {
            throw new StoryConflictException(header.Id);
        }
        await InsertEventsAsync(connection, transaction, [change], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoryEvent>> ReadAsync(
        string adventureId,
        long afterSequence,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventRow>(
            new CommandDefinition(
                "SELECT adventure_id AS AdventureId, sequence AS Sequence, type AS Type, payload AS Payload, actor AS "
                    + "Actor, at AS At FROM story_events WHERE adventure_id = @Id AND sequence > @After ORDER BY "
                    + "sequence LIMIT @Limit",
                new
                {
                    Id = adventureId,
                    After = afterSequence,
                    Limit = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToEvent()).ToArray();
    }

    public Task<IReadOnlyList<StoryEvent>> ReadAsync(
        string adventureId,
        long afterSequence,
        IReadOnlyCollection<string> types,
        int limit,
        CancellationToken cancellationToken
    ) => ReadTypesAsync(adventureId, afterSequence, types, limit, "sequence", cancellationToken);

    // "+sequence" is not the column, so no index can give the order: the planner then takes the index by type (one
    // seek per kind, the few rows sorted) instead of walking the log in order and testing every event's type.
    public Task<IReadOnlyList<StoryEvent>> ReadFewAsync(
        string adventureId,
        long afterSequence,
        IReadOnlyCollection<string> types,
        int limit,
        CancellationToken cancellationToken
    ) => ReadTypesAsync(adventureId, afterSequence, types, limit, "+sequence", cancellationToken);

    private async Task<IReadOnlyList<StoryEvent>> ReadTypesAsync(
        string adventureId,
        long afterSequence,
        IReadOnlyCollection<string> types,
        int limit,
        string order,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        // Dapper sends a list to Npgsql as one array parameter (= ANY) and expands it into a list for SQLite (IN).
        var rows = await connection.QueryAsync<EventRow>(
            new CommandDefinition(
                "SELECT adventure_id AS AdventureId, sequence AS Sequence, type AS Type, payload AS Payload, actor AS "
                    + "Actor, at AS At FROM story_events "
                    + "WHERE adventure_id = @Id AND sequence > @After AND type "
                    + provider.Dialect.InList("Types")
                    + $" ORDER BY {order} LIMIT @Limit",
                new
                {
                    Id = adventureId,
                    After = afterSequence,
                    Types = types.ToArray(),
                    Limit = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToEvent()).ToArray();
    }

    public async Task<long> GetLastSequenceAsync(string adventureId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition(
                "SELECT last_sequence FROM adventures WHERE id = " + "@Id",
                new { Id = adventureId },
                cancellationToken: cancellationToken
            )
        ) ?? 0;
    }

    public async Task<TurnRecord?> GetTurnAsync(string adventureId, string turnId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var body = await connection.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition(
                "SELECT body FROM story_turns WHERE adventure_id = @AdventureId AND turn_id = @TurnId",
                new { AdventureId = adventureId, TurnId = turnId },
                cancellationToken: cancellationToken
            )
        );
        return body is null ? null : Deserialize(body);
    }

    public async Task<IReadOnlyList<TurnRecord>> ListTurnsAsync(
        string adventureId,
        int? beforeNumber,
        int limit,
        bool includeUndone,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var sql =
            "SELECT body FROM story_turns WHERE adventure_id = @AdventureId"
            + (beforeNumber is null ? "" : " AND number < @Before")
            + (includeUndone ? "" : " AND undone = 0")
            + " ORDER BY number DESC LIMIT @Limit";
        var bodies = await connection.QueryAsync<string>(
            new CommandDefinition(
                sql,
                new
                {
                    AdventureId = adventureId,
                    Before = (long?)beforeNumber,
                    Limit = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return bodies.Select(Deserialize).ToArray();
    }

    public async Task<IReadOnlyList<TurnRecord>> ListStreamingTurnsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var bodies = await connection.QueryAsync<string>(
            new CommandDefinition(
                "SELECT body FROM story_turns WHERE status = 'streaming'",
                cancellationToken: cancellationToken
            )
        );
        return bodies.Select(Deserialize).ToArray();
    }

    public async Task SaveDraftsAsync(IReadOnlyList<NarrationDraft> drafts, CancellationToken cancellationToken)
    {
        if (drafts.Count == 0)
        {
            return;
        }
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // INSERT … ON CONFLICT … DO UPDATE is the same in SQLite (3.24+) and PostgreSQL.
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO narration_drafts (adventure_id, turn_id, alternative, text, at) VALUES (@AdventureId,
                @TurnId, @Alternative, @Text, @At)
                ON CONFLICT (adventure_id, turn_id, alternative) DO UPDATE SET text = excluded.text, at = excluded.at
                """,
                drafts.Select(d => new
                {
                    d.AdventureId,
                    d.TurnId,
                    Alternative = (long)d.Alternative,
                    d.Text,
                    At = d.At.ToUnixTimeMilliseconds(),
                }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<string?> GetDraftAsync(
        string adventureId,
        string turnId,
        int alternative,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition(
                "SELECT text FROM narration_drafts WHERE adventure_id = @AdventureId AND turn_id = @TurnId AND "
                    + "alternative = @Alternative",
                new
                {
                    AdventureId = adventureId,
                    TurnId = turnId,
                    Alternative = (long)alternative,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task SaveContextAsync(
        string adventureId,
        string turnId,
        int alternative,
        string contextJson,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO narration_contexts (adventure_id, turn_id, alternative, context) VALUES (@AdventureId,
                @TurnId, @Alternative, @Context)
                ON CONFLICT (adventure_id, turn_id, alternative) DO UPDATE SET context = excluded.context
                """,
                new
                {
                    AdventureId = adventureId,
                    TurnId = turnId,
                    Alternative = (long)alternative,
                    Context = contextJson,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<string?> GetContextAsync(
        string adventureId,
        string turnId,
        int alternative,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(
            new CommandDefinition(
                "SELECT context FROM narration_contexts WHERE adventure_id = @AdventureId AND turn_id = @TurnId AND "
                    + "alternative = @Alternative",
                new
                {
                    AdventureId = adventureId,
                    TurnId = turnId,
                    Alternative = (long)alternative,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    private static async Task InsertEventsAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<StoryEvent> events,
        CancellationToken cancellationToken
    )
    {
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO story_events (adventure_id, sequence, type, payload, actor, at) VALUES (@AdventureId, "
                    + "@Sequence, @Type, @Payload, @Actor, @At)",
                events.Select(e => new
                {
                    e.AdventureId,
                    e.Sequence,
                    e.Type,
                    Payload = e.Payload.GetRawText(),
                    e.Actor,
                    At = e.At.ToUnixTimeMilliseconds(),
                }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
    }

    private static async Task UpsertTurnsAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    )
    {
        if (turns.Count == 0)
        {
            return;
        }
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO story_turns (adventure_id, turn_id, number, status, undone, body) VALUES (@AdventureId,
                @TurnId, @Number, @Status, @Undone, @Body)
                ON CONFLICT (adventure_id, turn_id) DO UPDATE SET status = excluded.status, undone = excluded.undone,
                body = excluded.body
                """,
                turns.Select(t => new
                {
                    t.AdventureId,
                    t.TurnId,
                    Number = (long)t.Number,
                    t.Status,
                    Undone = t.Undone ? 1L : 0L,
                    Body = JsonSerializer.Serialize(t, StoryEventJson.Options),
                }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
        // A finished narration no longer needs its crash checkpoint.
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM narration_drafts WHERE adventure_id = @AdventureId AND turn_id = @TurnId",
                turns.Where(t => t.Status != NarrationRecord.Streaming).Select(t => new { t.AdventureId, t.TurnId }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
    }

    private static TurnRecord Deserialize(string body) =>
        JsonSerializer.Deserialize<TurnRecord>(body, StoryEventJson.Options)!;

    private sealed class EventRow
    {
        public string AdventureId { get; init; } = "";
        public long Sequence { get; init; }
        public string Type { get; init; } = "";
        public string Payload { get; init; } = "";
        public string Actor { get; init; } = "";
        public long At { get; init; }

        public StoryEvent ToEvent() =>
            new(
                AdventureId,
                Sequence,
                Type,
                JsonDocument.Parse(Payload).RootElement.Clone(),
                Actor,
                DateTimeOffset.FromUnixTimeMilliseconds(At)
            );
    }
}
