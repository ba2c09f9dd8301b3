using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// The context inspector: exactly what the narrator was sent for one narration, section by section, what was left out,
/// the lore that fired (entry, key, turn) and that was cut (budget, roll, cooldown, delay), and the memories recall
/// weighed, from the prompt report stored with the narration (the API's <c>GET …/turns/{turnId}/context</c>).
/// </summary>
public sealed class ContextModel(AdventureService adventures, IStoryLog log) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string TurnId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int? Alternative { get; set; }

    public TurnRecord Turn { get; private set; } = null!;

    public ContextReport? Report { get; private set; }

    public int Shown { get; private set; }

    /// <summary>What each recalled turn holds, as recall reminds the narrator of it, by turn id (missing when the turn
    /// is gone).</summary>
    public IReadOnlyDictionary<string, string> MemoryTexts { get; private set; } = new Dictionary<string, string>();

    /// <summary>How this narration was scored in the background (issue 22); null until it is evaluated.</summary>
    public TurnEvaluated? Evaluation { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Turn = await adventures.GetTurnAsync(UserId, Id, TurnId, cancellationToken);
        Shown = Alternative ?? Turn.Chosen;
        if (Shown < 0 || Shown >= Turn.Alternatives.Count)
        {
            throw ValidationFailedException.For(
                "alternative",
                "This turn has versions 1 to " + $"{Turn.Alternatives.Count}."
            );
        }
        // The newest evaluation of this narration: they are few (one per narration and evaluator version).
        Evaluation = (await log.ReadFewAsync(Id, 0, [nameof(TurnEvaluated)], int.MaxValue, cancellationToken))
            .Select(e => e.Read<TurnEvaluated>())
            .LastOrDefault(e => e.TurnId == TurnId && e.Alternative == Shown);
        var json = await log.GetContextAsync(Id, TurnId, Shown, cancellationToken);
        Report = json is null ? null : JsonSerializer.Deserialize<ContextReport>(json, StoryEventJson.Options);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in Report?.Memory?.Recalled.Select(r => r.TurnId).Distinct() ?? [])
        {
            if (await log.GetTurnAsync(Id, id, cancellationToken) is { } recalled)
            {
                texts[id] = MemoryText.Of(recalled);
            }
        }
        MemoryTexts = texts;
    }

    /// <summary>Why an entry fired, in words.</summary>
    public static string Why(LoreFired fired) =>
        fired.Reason switch
        {
            LoreReasons.Key => $"key \u201c{fired.Key}\u201d",
            LoreReasons.Recursion => $"key \u201c{fired.Key}\u201d in another entry",
            LoreReasons.Constant => "always on",
            LoreReasons.Sticky => "still in play (sticky)",
            LoreReasons.Meaning => "close in meaning (vectorized)",
            _ => fired.Reason,
        };
}
