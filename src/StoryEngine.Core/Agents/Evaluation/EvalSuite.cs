using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Agents.Evaluation;

/// <summary>One fixed story situation: the narrator's instructions, the story so far and the player's move.</summary>
public sealed record EvalSituation(
    string Id,
    string PlayerName,
    string Instructions,
    IReadOnlyList<(string Player, string Narration)> StorySoFar,
    string Action
)
{
    public IReadOnlyList<ChatMessage> Messages()
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, Instructions) };
        foreach (var (player, narration) in StorySoFar)
        {
            if (player.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.User, player));
            }
            messages.Add(new ChatMessage(ChatRole.Assistant, narration));
        }
        messages.Add(new ChatMessage(ChatRole.User, Action));
        return messages;
    }
}

/// <summary>How one backend did on one situation.</summary>
public sealed record EvalResult(
    string Backend,
    string? Model,
    string Situation,
    double Score,
    IReadOnlyList<Stories.EvaluationCheck> Checks,
    double? FirstTokenMs,
    double TotalMs,
    long OutputTokens,
    long InputTokens,
    string? Error
)
{
    public double? TokensPerSecond =>
        FirstTokenMs is { } first && TotalMs > first && OutputTokens > 1
            ? Math.Round((OutputTokens - 1) / ((TotalMs - first) / 1000), 1)
            : null;
}

/// <summary>
/// A fixed, versioned set of story situations (issue 22, <c>storyengine eval</c>): each backend narrates each one and
/// the narration is scored by <see cref="NarrationHeuristics"/>. Change a situation and the version changes, so two
/// runs are comparable only at the same version.
/// </summary>
public static class EvalSuite
{
    public const string Version = "situations-1";

    private const string Narrator =
        "You are the narrator of an interactive story. Write in second person, present tense, two or three "
        + "paragraphs. Describe what happens and what others say and do; never speak, act or decide for the player, "
        + "whose character is {0}. End where the player can act.";

    public static readonly IReadOnlyList<EvalSituation> Situations =
    [
        new(
            "harbour-arrival",
            "Wren",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Narrator, "Wren"),
            [("", "Fog rolls over Saltmere's harbour. A bell tolls somewhere past the breakwater.")],
            "I walk along the pier toward the only lit window."
        ),
        new(
            "tavern-question",
            "Wren",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Narrator, "Wren"),
            [
                ("", "The Drowned Lantern is half empty. Maren, the owner, wipes the bar without looking up."),
                ("I sit at the bar.", "Maren sets down a mug of cider in front of you and waits."),
            ],
            "\"Who rang the bell tonight?\" I ask Maren."
        ),
        new(
            "forest-danger",
            "Tam",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Narrator, "Tam"),
            [("", "The old road into the Greywood is overgrown. Wolves have been heard at night.")],
            "I light a torch and follow the tracks off the road."
        ),
        new(
            "continue-scene",
            "Tam",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Narrator, "Tam"),
            [
                ("", "A storm breaks over the mountain pass. The mule refuses to go on."),
                ("I look for shelter.", "A cave mouth gapes in the rock above the path, dark and dry."),
            ],
            "Continue the story."
        ),
    ];

    /// <summary>Runs every situation against <paramref name="client"/>, one after another.</summary>
    public static async Task<IReadOnlyList<EvalResult>> RunAsync(
        string backend,
        string? model,
        IChatClient client,
        ChatOptions? options,
        IProgress<EvalResult>? progress,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(client);
        var results = new List<EvalResult>();
        foreach (var situation in Situations)
        {
            var result = await RunOneAsync(backend, model, client, options, situation, cancellationToken);
            results.Add(result);
            progress?.Report(result);
        }
        return results;
    }

    private static async Task<EvalResult> RunOneAsync(
        string backend,
        string? model,
        IChatClient client,
        ChatOptions? options,
        EvalSituation situation,
        CancellationToken cancellationToken
    )
    {
        var started = Stopwatch.GetTimestamp();
        double? firstToken = null;
        long input = 0,
            output = 0;
        var text = new StringBuilder();
        try
        {
            await foreach (
                var update in client.GetStreamingResponseAsync(situation.Messages(), options, cancellationToken)
            )
            {
                model ??= update.ModelId;
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    input = usage.Details.InputTokenCount ?? input;
                    output = usage.Details.OutputTokenCount ?? output;
                }
                if (!string.IsNullOrEmpty(update.Text))
                {
                    firstToken ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    text.Append(update.Text);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new EvalResult(
                backend,
                model,
                situation.Id,
                0,
                [],
                firstToken,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                output,
                input,
                e.Message
            );
        }
        var checks = NarrationHeuristics.Evaluate(
            text.ToString(),
            [.. situation.StorySoFar.Select(s => s.Narration)],
            situation.PlayerName
        );
        return new EvalResult(
            backend,
            model,
            situation.Id,
            NarrationHeuristics.Score(checks),
            checks,
            firstToken.HasValue ? Math.Round(firstToken.Value, 1) : null,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
            output,
            input,
            null
        );
    }
}
