using System.Text.Json;
using System.Text.Json.Serialization;

namespace StoryEngine.Core.State;

/// <summary>
/// What is true in the story now, per adventure: the time of day, each character's place, health, conditions,
/// belongings and feelings toward others, and the quests. Characters and quests are keyed by name so a player's
/// JSON merge patch can change one of them without restating the rest.
/// </summary>
public sealed record WorldState(
    string? TimeOfDay = null,
    IReadOnlyDictionary<string, CharacterState>? Characters = null,
    IReadOnlyDictionary<string, QuestState>? Quests = null
)
{
    public static readonly WorldState Empty = new();

    [JsonIgnore]
    public IReadOnlyDictionary<string, CharacterState> CharacterMap =>
        Characters ?? new Dictionary<string, CharacterState>();

    [JsonIgnore]
    public IReadOnlyDictionary<string, QuestState> QuestMap => Quests ?? new Dictionary<string, QuestState>();

    [JsonIgnore]
    public bool IsEmpty => TimeOfDay is null && CharacterMap.Count == 0 && QuestMap.Count == 0;

    /// <summary>Every collection present (empty rather than missing), as clients read it.</summary>
    public WorldState Normalized() =>
        new(
            TimeOfDay,
            CharacterMap.ToDictionary(p => p.Key, p => p.Value.Normalized(), StringComparer.Ordinal),
            QuestMap.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
        );

    /// <summary>The key this state already uses for a character (names match without regard to case), or
    /// null.</summary>
    public string? KeyOf(string name) =>
        CharacterMap.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}

/// <param name="Relationships">How this character regards others, by their name ("distrusts", "owes a debt
/// to").</param>
public sealed record CharacterState(
    string? Location = null,
    string? Health = null,
    IReadOnlyList<string>? Conditions = null,
    IReadOnlyList<string>? Inventory = null,
    IReadOnlyDictionary<string, string>? Relationships = null
)
{
    public CharacterState Normalized() =>
        this with
        {
            Conditions = Conditions ?? [],
            Inventory = Inventory ?? [],
            Relationships = Relationships ?? new Dictionary<string, string>(),
        };
}

/// <param name="Status">active, completed or failed.</param>
public sealed record QuestState(string Status, string? Notes = null);

public static class StateJson
{
    /// <summary>
    /// Strict reading: an unknown field, a wrong type or a null where a value is required fails, so nothing a model
    /// or a client got wrong is half-understood.
    /// </summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
