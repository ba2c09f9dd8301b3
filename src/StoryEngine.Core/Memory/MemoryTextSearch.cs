namespace StoryEngine.Core.Memory;

/// <summary>The words a full-text recall searched for (after <see cref="TermSelection"/>) and what it found, best first.</summary>
public sealed record TextSearch(IReadOnlyList<string> Terms, IReadOnlyList<TextHit> Hits)
{
    public static TextSearch Empty { get; } = new([], []);
}

/// <summary>
/// The full-text half of recall: counts the query's words in the adventure (cached by <see cref="TermFrequencies"/>),
/// keeps the rare ones that fit the ranking budget, and searches only the adventure's own entries for them.
/// </summary>
public sealed class MemoryTextSearch(IMemoryStore store, TermFrequencies frequencies, MemoryOptions options)
{
    /// <param name="generation">The adventure's index generation now (<see cref="IMemoryStore.GetGenerationAsync"/>).</param>
    public async Task<TextSearch> SearchAsync(string adventureId, long generation, IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        if (terms.Count == 0)
        {
            return TextSearch.Empty;
        }
        var counts = await frequencies.GetAsync(adventureId, generation, terms, cancellationToken);
        var selected = TermSelection.Select(terms, counts, options.RankedMatches);
        if (selected.Count == 0)
        {
            return new TextSearch([], []);
        }
        return new TextSearch(selected, await store.SearchTextAsync(adventureId, selected, options.Candidates, options.RankedMatches, cancellationToken));
    }
}
