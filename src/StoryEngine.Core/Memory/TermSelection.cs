namespace StoryEngine.Core.Memory;

/// <summary>
/// Which of a query's words full-text recall searches for, so that ranking costs at most a fixed number of matches
/// however long the adventure is (issue 5, docs/adr/0028-bounded-full-text-recall.md). Rare words are what tell
/// turns apart: BM25 weighs a word by how few turns contain it, and a word in over half of them weighs next to nothing.
/// </summary>
public static class TermSelection
{
    /// <summary>
    /// Drops words that match over half of a large adventure, then takes the rest rarest first while their matches fit
    /// in <paramref name="budget"/>; the rarest is always taken, and the store then ranks only its newest matches.
    /// </summary>
    /// <param name="counts">Entries and per-term matches, in the order of <paramref name="terms"/>; a count may stop just past
    /// <paramref name="budget"/> (such a word is not taken while a rarer one is) or just past half the entries.</param>
    /// <param name="budget">The most matches worth ranking (<see cref="MemoryOptions.RankedMatches"/>).</param>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> terms, TermCounts counts, int budget)
    {
        // An adventure within the budget is ranked in full, so nothing need be dropped: even a word in every turn
        // still orders a handful of turns (and a two-turn adventure has every word in over half of it).
        var large = counts.Entries > budget;
        var candidates = terms
            .Select((term, i) => (Term: term, Matches: counts.Matches[i], Position: i))
            .Where(t => !(large && t.Matches * 2L > counts.Entries))
            .OrderBy(t => t.Matches)
            .ThenBy(t => t.Position)
            .ToArray();
        var selected = new List<string>();
        var total = 0L;
        foreach (var (term, matches, _) in candidates)
        {
            if (selected.Count > 0 && total + matches > budget)
            {
                break;
            }
            selected.Add(term);
            total += matches;
        }
        return selected;
    }
}
