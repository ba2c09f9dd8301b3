using System.Text.Json;
using StoryEngine.Core.Adventures;

namespace StoryEngine.Storage.Stories;

/// <summary>The adventures table's columns; the parts lists do not filter on live in <c>body</c>.</summary>
internal sealed class AdventureRow
{
    public string Id { get; init; } = "";
    public string OwnerId { get; init; } = "";
    public string WorldId { get; init; } = "";
    public string Title { get; init; } = "";
    public string Body { get; init; } = "";
    public long LastSequence { get; init; }
    public long TurnCount { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public const string Columns =
        "id AS Id, owner_id AS OwnerId, world_id AS WorldId, title AS Title, body AS "
        + "Body, last_sequence AS LastSequence, turn_count AS TurnCount, created_at AS CreatedAt, updated_at AS "
        + "UpdatedAt";

    private sealed record BodyJson(
        string? PersonaId,
        IReadOnlyList<string> CharacterIds,
        string? StartLocationId,
        string? ForkedFromId,
        string? ForkedAtTurnId,
        AdventureSettings? Settings = null
    );

    public static AdventureRow From(Adventure a) =>
        new()
        {
            Id = a.Id,
            OwnerId = a.OwnerId,
            WorldId = a.WorldId,
            Title = a.Title,
            Body = JsonSerializer.Serialize(
                new BodyJson(
                    a.PersonaId,
                    a.CharacterIds,
                    a.StartLocationId,
                    a.ForkedFromId,
                    a.ForkedAtTurnId,
                    a.Settings == AdventureSettings.None ? null : a.Settings
                ),
                JsonSerializerOptions.Web
            ),
            LastSequence = a.LastSequence,
            TurnCount = a.TurnCount,
            CreatedAt = a.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = a.UpdatedAt.ToUnixTimeMilliseconds(),
        };

    public Adventure ToAdventure()
    {
        var body = JsonSerializer.Deserialize<BodyJson>(Body, JsonSerializerOptions.Web)!;
        return new Adventure(
            Id,
            OwnerId,
            WorldId,
            Title,
            body.PersonaId,
            body.CharacterIds,
            body.StartLocationId,
            body.ForkedFromId,
            body.ForkedAtTurnId,
            LastSequence,
            (int)TurnCount,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt)
        )
        {
            Settings = body.Settings ?? AdventureSettings.None,
        };
    }
}
