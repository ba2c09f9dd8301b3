using StoryEngine.Core.Narration;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>How activated lore reads in the prompt: constant entries in the stable prefix, triggered ones near the
/// end.</summary>
public static class LorePrompt
{
    /// <summary>Runs activation for one narration; nothing when the adventure has no lore.</summary>
    /// <param name="budgetPercent">The prompt's share for lore (<see cref="LoreOptions.BudgetPercent"/>).</param>
    public static LoreActivationResult Activate(
        LoreInput? input,
        PlayerAction action,
        NarratorSettings settings,
        TokenEstimator tokens,
        LoreIndexCache indexes,
        int budgetPercent = LoreOptions.DefaultBudgetPercent
    ) =>
        input is null
            ? LoreActivationResult.None
            : LoreActivation.Activate(
                input.ToRequest(action, Budget(settings.PromptBudget, budgetPercent), text =>
                    tokens.Estimate(text, settings.Model)
                ),
                indexes
            );

    /// <summary>
    /// All lore's tokens: a share of the prompt, at least 1, as SillyTavern's <c>checkWorldInfo</c> computes
    /// <c>Math.round(world_info_budget * maxContext / 100) || 1</c>.
    /// </summary>
    public static int Budget(int promptBudget, int percent) =>
        Math.Max(
            1,
            (int)Math.Round(promptBudget * (long)Math.Clamp(percent, 0, 100) / 100.0, MidpointRounding.AwayFromZero)
        );

    /// <summary>The "constant lore" section. Entries come in insertion order, so it is the same every turn until a book
    /// changes.</summary>
    public static string Constant(LoreActivationResult result) => Join("# Lore of this world", result.Constant);

    /// <summary>The "triggered lore" section of the volatile block.</summary>
    public static string Triggered(IReadOnlyList<ActivatedLore> entries) =>
        Join("# Lore that matters now (from the " + "world's lorebooks)", entries);

    private static string Join(string heading, IReadOnlyList<ActivatedLore> entries)
    {
        var texts = entries.Where(e => e.Text.Length > 0).Select(e => e.Text).ToList();
        return texts.Count == 0 ? "" : heading + "\n" + string.Join("\n\n", texts);
    }
}
