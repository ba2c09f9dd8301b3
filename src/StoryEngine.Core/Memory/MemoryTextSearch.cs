namespace StoryEngine.Core.Memory;

/// <summary>The words a full-text recall searched for (after <see cref="TermSelection"/>) and what it found, best
/// first.</summary>
/// <param name="Generation">The adventure's index generation, read with the hits; null when nothing was
/// searched.</param>
public sealed record TextSearch(TextQuery Query, IReadOnlyList<TextHit> Hits, long? Generation)
{
    public static TextSearch Empty { get; } = new(TextQuery.None, [], null);
}

/// <summary>
/// The full-text half of recall: counts the query's words in the adventure (cached by <see cref="TermFrequencies"/>),
/// keeps the rare ones that fit the ranking budget, and searches only the adventure's own entries for them.
/// </summary>
public sealed class MemoryTextSearch(IMemoryStore store, TermFrequencies frequencies, MemoryOptions options)
{
    public async Task<TextSearch> SearchAsync(
        string adventureId,
        IReadOnlyList<string> terms,
        CancellationToken cancellationToken
    )
    {
        if (terms.Count == 0)
        {
            return TextSearch.Empty;
        }
        var budget = options.RankedMatches;
        var query = await frequencies.SelectAsync(adventureId, terms, budget, cancellationToken);
        if (query.Matching.Count == 0)
        {
            return TextSearch.Empty; // the counts' generation may be cached: only a search's is current
        }
        var found = await store.SearchTextAsync(adventureId, query, options.Candidates, budget, cancellationToken);
        frequencies.Observe(adventureId, found.Generation);
        return new TextSearch(query, found.Hits, found.Generation);
    }

    /// <summary>Drops the adventure's cached word counts, after a write the generation would not show as
    /// stale.</summary>
    public void Forget(string adventureId) => frequencies.Forget(adventureId);
}
