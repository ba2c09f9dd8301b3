using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Scenarios;

/// <summary>The adventure plays version <see cref="Version"/> of a scenario, from <see cref="StartNodeId"/>
/// (issue 24). Recorded at creation, right after <see cref="AdventureStarted"/>.</summary>
public sealed record ScenarioStarted(string ScenarioId, int Version, string StartNodeId) : IStoryEventPayload;

/// <summary>
/// The player's turn <see cref="TurnId"/> took the choice <see cref="EdgeId"/> from one scene to another, by its
/// button (<see cref="Via"/> "button") or by free text the utility model matched to it ("text", with its <see
/// cref="Reason"/>); with <see cref="EdgeId"/> null, free text that matched no choice: the story stays in the scene.
/// Recorded with the turn's action, so it stands while the turn does (undo, retry and fork need nothing more).
/// </summary>
public sealed record SceneChoice(
    string TurnId,
    string? EdgeId,
    string FromNodeId,
    string ToNodeId,
    string Via,
    string? Reason = null
) : IStoryEventPayload;
