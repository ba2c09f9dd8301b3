using System.Text.Json;
using Dapper;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Stories;

namespace StoryEngine.Storage.Lore;

/// <summary>Activation records in <c>lore_activations</c>, the same SQL on both engines.</summary>
public sealed class LoreActivationLog(IStorageProvider provider) : ILoreActivationLog
{
    public async Task SaveAsync(LoreActivationRecord record, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO lore_activations (adventure_id, turn_id, alternative, turn_number,
                entries) VALUES (@AdventureId, @TurnId, @Alternative, @TurnNumber, @Entries)
                ON CONFLICT (adventure_id, turn_id, alternative) DO UPDATE SET turn_number = excluded.turn_number,
                entries = excluded.entries
                """,
                new
                {
                    record.AdventureId,
                    record.TurnId,
                    Alternative = (long)record.Alternative,
                    TurnNumber = (long)record.TurnNumber,
                    Entries = JsonSerializer.Serialize(record.Entries, StoryEventJson.Options),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<IReadOnlyList<LoreActivationRecord>> ListAsync(
        string adventureId,
        int fromTurnNumber,
        int beforeTurnNumber,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                """
                SELECT turn_id AS TurnId, alternative AS Alternative, turn_number AS TurnNumber,
                entries AS Entries FROM lore_activations
                WHERE adventure_id = @AdventureId AND turn_number >= @From AND turn_number < @Before
                """,
                new
                {
                    AdventureId = adventureId,
                    From = (long)fromTurnNumber,
                    Before = (long)beforeTurnNumber,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new LoreActivationRecord(
                adventureId,
                r.TurnId,
                (int)r.Alternative,
                (int)r.TurnNumber,
                JsonSerializer.Deserialize<List<LoreFiredRef>>(r.Entries, StoryEventJson.Options) ?? []
            ))
            .ToArray();
    }

    private sealed class Row
    {
        public string TurnId { get; init; } = "";
        public long Alternative { get; init; }
        public long TurnNumber { get; init; }
        public string Entries { get; init; } = "";
    }
}
