using System.Text.Json;
using System.Text.Json.Serialization;

namespace StoryEngine.Core.Stories;

/// <summary>
/// One immutable entry of an adventure's story log. <see cref="Sequence"/> starts at 1 and has no gaps;
/// appends say which sequence they expect to follow, so two writers can never interleave.
/// </summary>
public sealed record StoryEvent(
    string AdventureId,
    long Sequence,
    string Type,
    JsonElement Payload,
    string Actor,
    DateTimeOffset At
)
{
    public T Read<T>()
        where T : IStoryEventPayload => Payload.Deserialize<T>(StoryEventJson.Options)!;

    /// <summary>The event's type is its record's name, which is why payload records are never renamed once
    /// shipped.</summary>
    /// <remarks>Times are cut to the millisecond the log stores, so live projections equal replayed ones.</remarks>
    public static StoryEvent Create(
        string adventureId,
        long sequence,
        IStoryEventPayload payload,
        string actor,
        DateTimeOffset at
    ) =>
        new(
            adventureId,
            sequence,
            payload.GetType().Name,
            JsonSerializer.SerializeToElement(payload, payload.GetType(), StoryEventJson.Options),
            actor,
            DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds())
        );
}

/// <summary>A past-tense fact in the story log.</summary>
#pragma warning disable CA1040 // a marker: only payload records may enter the log
public interface IStoryEventPayload;
#pragma warning restore CA1040

public static class StoryEventJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Token counts a backend reported for one model call.</summary>
public sealed record TokenUsage(long? InputTokens, long? OutputTokens);

/// <summary>How long a narration took: to the first token, and in all.</summary>
public sealed record NarrationTimings(double? FirstTokenMs, double TotalMs);

public sealed record AdventureStarted(
    string WorldId,
    string? PersonaId,
    IReadOnlyList<string> CharacterIds,
    string? StartLocationId,
    string Title
) : IStoryEventPayload;

/// <summary>The opening scene, shown as turn 0: a character's greeting, text the player gave, or the world's
/// setting.</summary>
public sealed record OpeningWritten(string TurnId, string Text, string Source) : IStoryEventPayload;

/// <summary>The player acted. Committed before any model is called, so the player's words are never lost.</summary>
public sealed record ActionTaken(string TurnId, int Number, string Kind, string Text) : IStoryEventPayload;

/// <summary>A new narration of an existing turn was asked for (retry); it becomes alternative <see
/// cref="Alternative"/>.</summary>
public sealed record RetryRequested(string TurnId, int Alternative) : IStoryEventPayload;

/// <summary>A narration ended (stopped by the player when <see cref="Stopped"/>); <see cref="Context"/> is the volatile
/// block it was sent with.</summary>
public sealed record NarrationCompleted(
    string TurnId,
    int Alternative,
    string Text,
    string? Backend,
    string? Model,
    TokenUsage Usage,
    NarrationTimings Timings,
    bool Stopped = false,
    CarriedContext? Context = null
) : IStoryEventPayload;

/// <summary>The backend failed; <see cref="PartialText"/> keeps whatever had arrived.</summary>
public sealed record NarrationFailed(string TurnId, int Alternative, string Code, string Message, string PartialText)
    : IStoryEventPayload;

/// <summary>The server stopped while narrating (a crash or a kill); the last checkpointed draft is kept.</summary>
public sealed record NarrationInterrupted(string TurnId, int Alternative, string PartialText) : IStoryEventPayload;

public sealed record AlternativeChosen(string TurnId, int Alternative) : IStoryEventPayload;

/// <summary>The player corrected a turn: their own words, the chosen narration, or both.</summary>
public sealed record TurnEdited(string TurnId, string? PlayerText, string? Narration) : IStoryEventPayload;

/// <summary>The turn is taken back; it stays in the log but leaves the transcript and the prompt.</summary>
public sealed record TurnUndone(string TurnId) : IStoryEventPayload;

/// <summary>First own event of a fork: the history before it was copied from <see cref="FromAdventureId"/> up to <see
/// cref="AtTurnId"/>.</summary>
public sealed record AdventureForked(string FromAdventureId, string AtTurnId, long AtSequence) : IStoryEventPayload;

/// <summary>
/// The adventure was made from a chat of another tool (<see cref="Format"/>: sillytavern or tavernai); the turns that
/// follow are its messages. <see cref="SkippedMessages"/>: hidden system messages left out.
/// </summary>
public sealed record ChatImported(
    string Format,
    string? FileName,
    string? UserName,
    string? CharacterName,
    DateTimeOffset? ChatCreatedAt,
    int Messages,
    int SkippedMessages
) : IStoryEventPayload;

/// <summary>
/// The player changed the adventure's title or settings (PATCH /adventures/{id}). Carries the whole of both as they
/// now stand, so the newest such event is the header's state and replaying the log gives it back.
/// </summary>
public sealed record AdventureSettingsChanged(string Title, Adventures.AdventureSettings Settings) : IStoryEventPayload;
