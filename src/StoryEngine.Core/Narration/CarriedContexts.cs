using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>
/// The volatile blocks the kept transcript already repeats (each turn's <see cref="CarriedContext"/>), for deciding
/// what a new volatile block still has to say: lore and memories not shown yet, state lines that changed.
/// </summary>
internal sealed class CarriedContexts
{
    private readonly List<CarriedContext> _newestFirst;
    private readonly HashSet<string> _lore;

    public CarriedContexts(IEnumerable<TurnRecord> keptOldestFirst)
    {
        _newestFirst = keptOldestFirst
            .Select(t => t.ChosenNarration.Context)
            .OfType<CarriedContext>()
            .Reverse()
            .ToList();
        _lore = _newestFirst.SelectMany(c => c.Lore ?? []).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether some kept turn's block already sent a lore entry with exactly this text.</summary>
    public bool ShowsLore(string fingerprint) => _lore.Contains(fingerprint);

    /// <summary>The newest state line the kept transcript shows for <paramref name="key"/>, or null.</summary>
    public string? StateLine(string key) =>
        _newestFirst
            .Select(c => c.State is { } lines && lines.TryGetValue(key, out var line) ? line : null)
            .FirstOrDefault(l => l is not null);

    /// <summary>Every state key the kept transcript shows a line for.</summary>
    public IEnumerable<string> StateKeys =>
        _newestFirst.SelectMany(c => c.State?.Keys ?? []).Distinct(StringComparer.Ordinal);
}
