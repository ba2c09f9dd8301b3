namespace StoryEngine.Core.Memory;

/// <summary>The words a full-text recall searched for (after <see cref="TermSelection"/>) and what it found, best first.</summary>
public sealed record TextSearch(TextQuery Query, IReadOnlyList<TextHit> Hits)
{
    public static TextSearch Empty { get; } = new(TextQuery.None, []);
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
        var budget = options.RankedMatches;
        // Counted only as far as a word may be weighed: past that it is neither matched nor weighed while a rarer one is there.
        var counts = await frequencies.GetAsync(adventureId, generation, terms, TermSelection.CountLimit(budget), cancellationToken);
        if (counts.Entries > budget && counts.Matches.All(m => m > budget))
        {
            // Every word is past the budget: only now is it worth counting to just past half the adventure, to drop
            // the words in over half of it and search the rarest of the rest.
            counts = await frequencies.GetAsync(adventureId, generation, terms, counts.Entries / 2 + 1, cancellationToken);
        }
        var query = TermSelection.Select(terms, counts, budget);
        if (query.Matching.Count == 0)
        {
            return TextSearch.Empty;
        }
        return new TextSearch(query, await store.SearchTextAsync(adventureId, query, options.Candidates, budget, cancellationToken));
    }
}
