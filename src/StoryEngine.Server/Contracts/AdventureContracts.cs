using StoryEngine.Core.Adventures;
using StoryEngine.Core.Stories;

namespace StoryEngine.Server.Contracts;

public sealed record CreateAdventureRequest(
    string? WorldId,
    string? PersonaId = null,
    IReadOnlyList<string>? CharacterIds = null,
    string? StartLocationId = null,
    string? Opening = null,
    string? Title = null,
    int? GreetingIndex = null,
    string? ScenarioId = null
);

public sealed record AdventureResponse(
    string Id,
    string WorldId,
    string Title,
    string? PersonaId,
    IReadOnlyList<string> CharacterIds,
    string? StartLocationId,
    string? ForkedFromId,
    string? ForkedAtTurnId,
    int TurnCount,
    long LastSequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    AuthorsNoteFields? AuthorsNote,
    string Memory,
    GenerationFields Generation
)
{
    public static AdventureResponse From(Adventure a) =>
        new(
            a.Id,
            a.WorldId,
            a.Title,
            a.PersonaId,
            a.CharacterIds,
            a.StartLocationId,
            a.ForkedFromId,
            a.ForkedAtTurnId,
            a.TurnCount,
            a.LastSequence,
            a.CreatedAt,
            a.UpdatedAt,
            AuthorsNoteFields.From(a.Settings.AuthorsNote),
            a.Settings.Memory,
            GenerationFields.From(a.Settings.Generation)
        );
}

public sealed record TakeTurnRequest(string? Kind, string? Text);

public sealed record ChooseRequest(int? Alternative);

public sealed record EditTurnRequest(string? PlayerText, string? Narration);

public sealed record ForkRequest(string? AtTurnId);

/// <summary>Which greeting the opening shows: 0 the character's first message, n its n-th alternate greeting.</summary>
public sealed record ChooseOpeningRequest(int? GreetingIndex);

public sealed record NarrationResponse(
    string Text,
    string Status,
    string? Backend,
    string? Model,
    TokenUsage? Usage,
    NarrationTimings? Timings,
    string? ErrorCode,
    string? Error
);

/// <summary>A turn of the transcript: the player's move, the chosen narration and every alternative.</summary>
public sealed record TurnResponse(
    string Id,
    int Number,
    string Kind,
    string PlayerText,
    string Narration,
    string Status,
    int Chosen,
    IReadOnlyList<NarrationResponse> Alternatives,
    bool Undone,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
)
{
    public static TurnResponse From(TurnRecord t) =>
        new(
            t.TurnId,
            t.Number,
            t.Kind,
            t.PlayerText,
            t.ChosenNarration.Text,
            t.ChosenNarration.Status,
            t.Chosen,
            t.Alternatives.Select(a => new NarrationResponse(
                    a.Text,
                    a.Status,
                    a.Backend,
                    a.Model,
                    a.Usage,
                    a.Timings,
                    a.ErrorCode,
                    a.Error
                ))
                .ToArray(),
            t.Undone,
            t.CreatedAt,
            t.UpdatedAt
        );
}

public sealed record StoryEventResponse(
    long Sequence,
    string Type,
    System.Text.Json.JsonElement Payload,
    string Actor,
    DateTimeOffset At
)
{
    public static StoryEventResponse From(StoryEvent e) => new(e.Sequence, e.Type, e.Payload, e.Actor, e.At);
}

/// <summary>SSE payloads.</summary>
public sealed record TurnAcceptedEvent(string AdventureId, string TurnId, int Alternative);

public sealed record TokenEvent(string Text);

public sealed record TurnFailedEvent(string Code, string Detail, TurnResponse Turn);
