using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Scenarios;

/// <summary>A choice the scene does not offer now (none by that id, its condition is false, or the story has
/// ended).</summary>
public sealed class ChoiceUnavailableException(string message) : ConflictException(message, ProblemCode)
{
    public const string ProblemCode = "choice_unavailable";
}

/// <summary>The adventure plays no scenario, so it has no choices.</summary>
public sealed class NotAScenarioAdventureException(string adventureId)
    : ConflictException($"The adventure '{adventureId}' does not play a scenario.", ProblemCode)
{
    public const string ProblemCode = "not_a_scenario";
}

/// <summary>What the utility model made of free text: the choice it matched (null: stay in the scene) and
/// why.</summary>
public sealed record ChoiceMatch(string? EdgeId, string Reason);

/// <summary>
/// Moving through a scenario while playing (issue 24): a choice by its button, or free text matched to a choice (or to
/// staying) by the utility model with a JSON-schema answer. Either way the move is recorded with the turn's action
/// (<see cref="SceneChoice"/>), and the turn is narrated as any other, the new scene's directions in its prompt.
/// </summary>
public sealed partial class ScenarioPlay(
    ScenarioPositions positions,
    TurnService turns,
    IUtilityModel utility,
    Usage.UsageMeter usage,
    ILogger<ScenarioPlay> logger
)
{
    public const string SchemaName = "scenario_choice";

    private static readonly JsonElement Schema = JsonDocument
        .Parse(
            """
            {"type":"object","additionalProperties":false,"required":["choice","reason"],
             "properties":{"choice":{"type":["string","null"],
               "description":"the id of the matching choice, or null to stay in the scene"},
             "reason":{"type":"string"}}}
            """
        )
        .RootElement.Clone();

    public async Task<ScenarioPosition> PositionAsync(
        string ownerId,
        string adventureId,
        CancellationToken cancellationToken
    ) =>
        await positions.GetAsync(ownerId, adventureId, cancellationToken)
        ?? throw new NotAScenarioAdventureException(adventureId);

    /// <summary>Takes the choice <paramref name="edgeId"/> as the player's turn.</summary>
    public async Task<TurnRun> ChooseAsync(
        string ownerId,
        string adventureId,
        string? edgeId,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(edgeId))
        {
            throw ValidationFailedException.For("edgeId", "edgeId is required: the choice to take.");
        }
        var position = await PositionAsync(ownerId, adventureId, cancellationToken);
        var edge = Available(position, edgeId);
        var text = edge.Label.Length > 0 ? edge.Label : position.Scenario.Node(edge.To)!.Title;
        return await turns.TakeTurnAsync(
            ownerId,
            adventureId,
            "do",
            text,
            turnId => [new SceneChoice(turnId, edge.Id, edge.From, edge.To, "button")],
            cancellationToken
        );
    }

    /// <summary>Plays the player's free text as their turn, moving along the choice the utility model matched it
    /// to, if any.</summary>
    public async Task<(TurnRun Run, ChoiceMatch Match)> ActAsync(
        string ownerId,
        string adventureId,
        string? kind,
        string? text,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ValidationFailedException.For("text", "text is required: what the player does or says.");
        }
        var position = await PositionAsync(ownerId, adventureId, cancellationToken);
        if (position.Ended)
        {
            throw new ChoiceUnavailableException("The story has reached an ending: there are no more choices.");
        }
        var match =
            position.Choices.Count == 0
                ? new ChoiceMatch(null, "The scene offers no choice now.")
                : await MatchAsync(ownerId, adventureId, position, text, cancellationToken);
        var edge = match.EdgeId is null ? null : position.Choices.First(c => c.Id == match.EdgeId);
        var run = await turns.TakeTurnAsync(
            ownerId,
            adventureId,
            kind ?? "do",
            text,
            turnId =>
                [
                    new SceneChoice(
                        turnId,
                        edge?.Id,
                        position.Node.Id,
                        edge?.To ?? position.Node.Id,
                        "text",
                        match.Reason
                    ),
                ],
            cancellationToken
        );
        return (run, match);
    }

    /// <summary>Asks the utility model which open choice the text means. An answer that names no open choice is
    /// read as staying: the player's words are never refused for the model's mistake.</summary>
    public async Task<ChoiceMatch> MatchAsync(
        string ownerId,
        string adventureId,
        ScenarioPosition position,
        string text,
        CancellationToken cancellationToken
    )
    {
        var choices = string.Join(
            "\n",
            position.Choices.Select(c =>
                $"- id: {c.Id}; label: {c.Label}; leads to: {position.Scenario.Node(c.To)!.Title}"
                + (c.Hints.Count > 0 ? $"; also means: {string.Join(", ", c.Hints)}" : "")
            )
        );
        List<ChatMessage> messages =
        [
            new(
                ChatRole.System,
                "You match a player's move in an interactive story to one of the choices the current scene offers. "
                    + "Answer with the id of the choice the move clearly takes, or null when it takes none (the "
                    + "story then stays in the scene). Give a short reason."
            ),
            new(
                ChatRole.User,
                $"Scene: {position.Node.Title}\nChoices:\n{choices}\n\nPlayer's move (scenario_choice): {text}"
            ),
        ];
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, SchemaName, "The choice the player's move takes"),
            Temperature = 0,
            MaxOutputTokens = 256,
        };
        var response = await usage.MeterAsync(ownerId, adventureId, Usage.UsagePurposes.Scenario, messages, () =>
            utility.Client.GetResponseAsync(messages, options, cancellationToken)
        );
        try
        {
            using var answer = JsonDocument.Parse(StripFence(response.Text));
            var root = answer.RootElement;
            var id =
                root.TryGetProperty("choice", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var reason =
                root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            if (id is not null && position.Choices.All(x => x.Id != id))
            {
                LogUnusable(logger, adventureId, "named a choice that is not open");
                return new(null, $"The model named '{id}', which is not a choice here; staying. {reason}".Trim());
            }
            LogMatched(logger, adventureId, position.Node.Id, id ?? "(stay)");
            return new(id, reason.Length > 2000 ? reason[..2000] : reason);
        }
        catch (JsonException)
        {
            LogUnusable(logger, adventureId, "not JSON");
            return new(null, "The model's answer was not the JSON asked for; staying in the scene.");
        }
    }

    private static ScenarioEdge Available(ScenarioPosition position, string edgeId)
    {
        if (position.Ended)
        {
            throw new ChoiceUnavailableException("The story has reached an ending: there are no more choices.");
        }
        return position.Choices.FirstOrDefault(c => c.Id == edgeId)
            ?? throw new ChoiceUnavailableException(
                $"The scene '{position.Node.Title}' offers no choice '{edgeId}' now"
                    + (
                        position.Choices.Count > 0
                            ? $"; open choices: {string.Join(", ", position.Choices.Select(c => c.Id))}."
                            : "."
                    )
            );
    }

    private static string StripFence(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("```", StringComparison.Ordinal))
        {
            var start = t.IndexOf('\n', StringComparison.Ordinal);
            var end = t.LastIndexOf("```", StringComparison.Ordinal);
            if (start > 0 && end > start)
            {
                return t[(start + 1)..end].Trim();
            }
        }
        return t;
    }

    [LoggerMessage(
        EventId = LogEvents.Scenarios.ChoiceMatched,
        Level = LogLevel.Debug,
        Message = "Free text in adventure {AdventureId} at scene {NodeId} matched {EdgeId}"
    )]
    private static partial void LogMatched(ILogger logger, string adventureId, string nodeId, string edgeId);

    [LoggerMessage(
        EventId = LogEvents.Scenarios.ChoiceAnswerUnusable,
        Level = LogLevel.Warning,
        Message = "The utility model's choice for adventure {AdventureId} was unusable ({Why}); the story stays"
    )]
    private static partial void LogUnusable(ILogger logger, string adventureId, string why);
}
