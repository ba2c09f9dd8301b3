using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>
/// The volatile blocks the kept transcript already repeats (each turn's <see cref="CarriedContext"/>), for deciding
/// what a new volatile block still has to say: lore and memories not shown yet, state lines that changed.
/// </summary>
internal sealed class CarriedContexts
{
    private readonly List<CarriedContext> _newestFirst;

    public CarriedContexts(IEnumerable<TurnRecord> keptOldestFirst) =>
        _newestFirst = keptOldestFirst.Select(t => t.ChosenNarration.Context).OfType<CarriedContext>().Reverse().ToList();

    /// <summary>Whether some kept turn's block holds <paramref name="text"/> word for word.</summary>
    public bool Shows(string text) => _newestFirst.Any(c => c.Text.Contains(text, StringComparison.Ordinal));

    /// <summary>The newest state line the kept transcript shows for <paramref name="key"/>, or null.</summary>
    public string? StateLine(string key) =>
        _newestFirst.Select(c => c.State is { } lines && lines.TryGetValue(key, out var line) ? line : null).FirstOrDefault(l => l is not null);

    /// <summary>Every state key the kept transcript shows a line for.</summary>
    public IEnumerable<string> StateKeys => _newestFirst.SelectMany(c => c.State?.Keys ?? []).Distinct(StringComparer.Ordinal);
}
