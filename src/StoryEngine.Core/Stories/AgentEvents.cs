using System.Text.Json;

namespace StoryEngine.Core.Stories;

/// <summary>
/// The narrator called a tool while narrating turn <see cref="TurnId"/> (issue 22): what it asked, what it got back (or
/// the error code), and how long it took. Appended with the narration's outcome, in call order.
/// </summary>
public sealed record ToolCalled(
    string TurnId,
    int Alternative,
    string Tool,
    JsonElement Arguments,
    string Result,
    string? ErrorCode,
    double DurationMs
) : IStoryEventPayload;

/// <summary>
/// A completed narration was scored (issue 22): heuristics always, a model judge when configured. <see
/// cref="Score"/> is 0–1 (1 is best); each check says what it found.
/// </summary>
public sealed record TurnEvaluated(
    string TurnId,
    int Alternative,
    string EvaluatorVersion,
    string? Backend,
    string? Model,
    double Score,
    IReadOnlyList<EvaluationCheck> Checks
) : IStoryEventPayload;

/// <summary>One check of an evaluation: its name, a 0–1 score and, when it found something, what.</summary>
public sealed record EvaluationCheck(string Name, double Score, string? Finding = null);
