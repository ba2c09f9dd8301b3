using StoryEngine.Core.Narration;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>How activated lore reads in the prompt: constant entries in the stable prefix, triggered ones near the end.</summary>
public static class LorePrompt
{
    /// <summary>Runs activation for one narration; nothing when the adventure has no lore.</summary>
    public static LoreActivationResult Activate(
        LoreInput? input, PlayerAction action, NarratorSettings settings, TokenEstimator tokens,
        LoreIndexCache indexes) =>
        input is null
            ? LoreActivationResult.None
            // A book without a budget of its own may use a quarter of the prompt, SillyTavern's default share for World Info.
            : LoreActivation.Activate(
                input.ToRequest(action, settings.PromptBudget / 4, text => tokens.Estimate(text, settings.Model)),
                indexes);

    /// <summary>The "constant lore" section. Entries come in insertion order, so it is the same every turn until a book changes.</summary>
    public static string Constant(LoreActivationResult result) => Join("# Lore of this world", result.Constant);

    /// <summary>The "triggered lore" section of the volatile block.</summary>
    public static string Triggered(IReadOnlyList<ActivatedLore> entries) => Join("# Lore that matters now (from the world's lorebooks)", entries);

    private static string Join(string heading, IReadOnlyList<ActivatedLore> entries)
    {
        var texts = entries.Where(e => e.Text.Length > 0).Select(e => e.Text).ToList();
        return texts.Count == 0 ? "" : heading + "\n" + string.Join("\n\n", texts);
    }
}
