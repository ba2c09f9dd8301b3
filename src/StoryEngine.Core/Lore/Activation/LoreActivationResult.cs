namespace StoryEngine.Core.Lore.Activation;

/// <summary>An entry's text as it goes into the prompt.</summary>
public sealed record ActivatedLore(string BookId, int EntryId, string Text, int Tokens, bool Sticky);

/// <summary>
/// What activation decided for one turn: constant entries for the stable prefix, triggered ones for the volatile
/// block (each in insertion order), and the report for the inspector.
/// </summary>
public sealed record LoreActivationResult(
    IReadOnlyList<ActivatedLore> Constant,
    IReadOnlyList<ActivatedLore> Triggered,
    LoreReport Report
)
{
    public static readonly LoreActivationResult None = new([], [], LoreReport.Empty);
}
