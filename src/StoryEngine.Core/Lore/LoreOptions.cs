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
}
