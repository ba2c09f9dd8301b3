using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Narration;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Evaluation;

/// <summary>
/// The optional model judge of an evaluation (issue 22, <c>Evaluation:Judge</c>): asks the utility model, in a JSON
/// schema, whether a narration contradicts the world state as it stood before the turn or the lore its prompt carried,
/// and turns the answer into a <c>contradictions</c> check. It gives no check when there is nothing to hold the
/// narration to, or when the model's answer cannot be read; the heuristics stand on their own then.
/// </summary>
public sealed class ContradictionJudge(IUtilityModel model, Usage.UsageMeter usage, WorldStates states, IStoryLog log)
{
    public const string Version = "judge-1";

    /// <summary>The most characters of state and lore the judge is shown.</summary>
    public const int MaxFacts = 6_000;

    public const string Instructions =
        "You check an interactive story for continuity. Given the facts that held before a passage (world state and "
        + "lore) and the passage, list each statement of the passage that contradicts a fact (a character somewhere "
        + "else, an item they do not have, a rule of the world broken). Do not list new events or new details that "
        + "merely add to the facts. Answer with JSON only, following the schema.";

    public const string Schema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["contradictions"],
          "properties": {
            "contradictions": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["claim", "conflictsWith", "source"],
              "properties": {"claim": {"type": "string"}, "conflictsWith": {"type": "string"},
                "source": {"type": "string", "enum": ["state", "lore"]}}}}
          }
        }
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Contradiction(string Claim, string ConflictsWith, string Source);

    private sealed record Answer(Contradiction[] Contradictions);

    /// <summary>The contradictions check of one narration, or null when there was nothing to judge it by or the
    /// answer was unreadable.</summary>
    public async Task<EvaluationCheck?> JudgeAsync(
        string ownerId,
        Adventures.Adventure adventure,
        TurnRecord turn,
        int alternative,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(adventure);
        ArgumentNullException.ThrowIfNull(turn);
        var facts = await FactsAsync(ownerId, adventure, turn, alternative, cancellationToken);
        if (facts.Length == 0)
        {
            return null;
        }
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, Instructions),
            new(
                ChatRole.User,
                $"Facts before the passage:\n{facts}\n\nPassage:\n"
                    + PromptText.Clean(turn.Alternatives[alternative].Text)
            ),
        };
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(
                JsonDocument.Parse(Schema).RootElement.Clone(),
                "continuity",
                "Statements of the passage that contradict the facts"
            ),
            Temperature = 0,
            MaxOutputTokens = 1024,
        };
        var response = await usage.MeterAsync(ownerId, adventure.Id, Usage.UsagePurposes.Evaluation, messages, () =>
            model.Client.GetResponseAsync(messages, options, cancellationToken)
        );
        return Check(response.Text);
    }

    /// <summary>The check an answer makes: 1 with no contradiction, a third less for each, at least 0.</summary>
    public static EvaluationCheck? Check(string answer)
    {
        Answer? read;
        try
        {
            read = JsonSerializer.Deserialize<Answer>(ModelAnswers.StripFence(answer ?? ""), Json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (read?.Contradictions is not { } found)
        {
            return null;
        }
        var listed = found
            .Where(c => !string.IsNullOrWhiteSpace(c.Claim))
            .Select(c => $"\u201c{c.Claim.Trim()}\u201d contradicts the {c.Source} ({c.ConflictsWith.Trim()})")
            .ToArray();
        return listed.Length == 0
            ? new EvaluationCheck("contradictions", 1)
            : new EvaluationCheck("contradictions", Math.Max(0, 1 - listed.Length / 3.0), string.Join("; ", listed));
    }

    // The world state after the turn before, and the lore the narration's prompt carried (its triggered entries).
    private async Task<string> FactsAsync(
        string ownerId,
        Adventures.Adventure adventure,
        TurnRecord turn,
        int alternative,
        CancellationToken cancellationToken
    )
    {
        var facts = new StringBuilder();
        var (state, _) = await states.GetAsync(ownerId, adventure.Id, Math.Max(0, turn.Number - 1), cancellationToken);
        if (!state.IsEmpty)
        {
            facts.Append("World state: ").Append(JsonSerializer.Serialize(state.Normalized(), StateJson.Strict));
        }
        var json = await log.GetContextAsync(adventure.Id, turn.TurnId, alternative, cancellationToken);
        var report = json is null ? null : JsonSerializer.Deserialize<ContextReport>(json, StoryEventJson.Options);
        var lore = report?.Sections.FirstOrDefault(s => s.Name == "triggered lore")?.Text ?? "";
        if (lore.Length > 0)
        {
            facts.Append(facts.Length > 0 ? "\n" : "").Append("Lore: ").Append(lore);
        }
        return facts.Length <= MaxFacts ? facts.ToString() : facts.ToString(0, MaxFacts);
    }
}
