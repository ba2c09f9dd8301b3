namespace StoryEngine.Core.State;

/// <summary>
/// What one narration changed, as the utility model reports it (<see cref="StateSchema"/>). Only what changed is
/// named; a null or missing field means "unchanged".
/// </summary>
/// <param name="NewCharacters">Characters who enter the story in this turn; only these and those already known may be
/// named.</param>
public sealed record StateChange(
    string? TimeOfDay = null,
    IReadOnlyList<string>? NewCharacters = null,
    IReadOnlyList<CharacterChange>? Characters = null,
    IReadOnlyList<QuestChange>? Quests = null
)
{
    public bool IsEmpty =>
        TimeOfDay is null
        && (NewCharacters?.Count ?? 0) == 0
        && (Characters?.Count ?? 0) == 0
        && (Quests?.Count ?? 0) == 0;
}

public sealed record CharacterChange(
    string Name,
    string? Location = null,
    string? Health = null,
    IReadOnlyList<string>? AddConditions = null,
    IReadOnlyList<string>? RemoveConditions = null,
    IReadOnlyList<string>? AddItems = null,
    IReadOnlyList<string>? RemoveItems = null,
    IReadOnlyList<RelationshipChange>? Relationships = null
);

public sealed record RelationshipChange(string With, string Attitude);

public sealed record QuestChange(string Name, string Status, string? Notes = null);

/// <summary>The JSON schema the utility model must answer in (OpenAI structured outputs: every field required, nulls
/// allowed).</summary>
public static class StateSchema
{
    public const string Name = "state_change";

    public const string Json = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["timeOfDay", "newCharacters", "characters", "quests"],
          "properties": {
            "timeOfDay": {
              "type": ["string", "null"],
              "description": "The time of day now, when it changed (\"dusk\", \"the next morning\")."
            },
            "newCharacters": {
              "type": "array",
              "items": { "type": "string" },
              "description": "Names of characters who first appear in this passage."
            },
            "characters": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "name", "location", "health", "addConditions", "removeConditions", "addItems", "removeItems",
                  "relationships"
                ],
                "properties": {
                  "name": { "type": "string" },
                  "location": { "type": ["string", "null"] },
                  "health": { "type": ["string", "null"] },
                  "addConditions": { "type": "array", "items": { "type": "string" } },
                  "removeConditions": { "type": "array", "items": { "type": "string" } },
                  "addItems": { "type": "array", "items": { "type": "string" } },
                  "removeItems": { "type": "array", "items": { "type": "string" } },
                  "relationships": {
                    "type": "array",
                    "items": {
                      "type": "object", "additionalProperties": false, "required": ["with", "attitude"],
                      "properties": { "with": { "type": "string" }, "attitude": { "type": "string" } }
                    }
                  }
                }
              }
            },
            "quests": {
              "type": "array",
              "items": {
                "type": "object", "additionalProperties": false, "required": ["name", "status", "notes"],
                "properties": {
                  "name": { "type": "string" },
                  "status": { "type": "string", "enum": ["active", "completed", "failed"] },
                  "notes": { "type": ["string", "null"] }
                }
              }
            }
          }
        }
        """;
}
