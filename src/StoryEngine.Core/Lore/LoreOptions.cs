namespace StoryEngine.Core.Lore;

/// <summary>How much of the prompt lore may take (configuration section <c>Lore</c>, docs/configuration.md).</summary>
public sealed class LoreOptions
{
    public const string Section = "Lore";

    /// <summary>SillyTavern's default World Info budget: a quarter (<c>world_info_budget = 25</c>).</summary>
    public const int DefaultBudgetPercent = 25;

    /// <summary>
    /// Percent of the prompt budget that all activated lore together may use, constant and triggered, across every
    /// book. A book's own <c>tokenBudget</c> can only lower its share, so lore never pushes out the newest turns.
    /// </summary>
    public int BudgetPercent { get; set; } = DefaultBudgetPercent;

    /// <summary>
    /// How similar (cosine, 0–1, under the embedding model) the player's move must be to a <c>vectorized</c> entry's
    /// content for it to fire without a key (issue 20).
    /// </summary>
    public double VectorizedSimilarity { get; set; } = 0.35;

    /// <summary>At most this many vectorized entries fire by meaning in one turn, the most similar first.</summary>
    public int VectorizedEntries { get; set; } = 5;
}
