namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Why the lore in a prompt is there, for the context inspector: every entry that fired and how, and every entry that
/// would have fired but did not (cut for budget, lost its probability roll, cooling down, delayed).
/// </summary>
public sealed record LoreReport(
    IReadOnlyList<LoreFired> Fired,
    IReadOnlyList<LoreNotFired> NotFired,
    IReadOnlyList<string> Warnings
)
{
    public static readonly LoreReport Empty = new([], [], []);

    /// <summary>What later turns need to remember of this one for sticky and cooldown.</summary>
    public IReadOnlyList<LoreFiredRef> ToHistory() =>
        [.. Fired.Select(f => new LoreFiredRef(f.BookId, f.EntryId, f.Reason == LoreReasons.Sticky))];
}

/// <summary>The reasons an entry fired or did not.</summary>
public static class LoreReasons
{
    public const string Key = "key";
    public const string Constant = "constant";
    public const string Recursion = "recursion";
    public const string Sticky = "sticky";

    /// <summary>A <c>vectorized</c> entry whose content is close in meaning to the player's move (issue 20).</summary>
    public const string Meaning = "meaning";
    public const string Budget = "budget";
    public const string Probability = "probability";
    public const string Cooldown = "cooldown";
    public const string Delay = "delay";
}

/// <summary>An entry in the prompt.</summary>
/// <param name="Reason"><c>key</c>, <c>constant</c>, <c>recursion</c> or <c>sticky</c>.</param>
/// <param name="Key">The primary key that matched (for <c>key</c> and <c>recursion</c>).</param>
/// <param name="TurnNumber">The turn whose text held the key, or in which a sticky entry first fired.</param>
/// <param name="Where">In words: which message, or which entry's content for recursion.</param>
/// <param name="Placement"><c>constant lore</c> (the stable prefix) or <c>triggered lore</c> (the volatile
/// block).</param>
public sealed record LoreFired(
    string BookId,
    string Book,
    int EntryId,
    string Entry,
    string Reason,
    string? Key,
    int? TurnNumber,
    string Where,
    int Tokens,
    string Placement
);

/// <summary>An entry that matched (or is constant) but is not in the prompt.</summary>
/// <param name="Reason"><c>budget</c>, <c>probability</c>, <c>cooldown</c> or <c>delay</c>.</param>
public sealed record LoreNotFired(string BookId, string Book, int EntryId, string Entry, string Reason, string Detail);
