namespace StoryEngine.Core.Memory;

/// <summary>
/// Which of a query's words full-text recall searches for, so that ranking costs at most a fixed number of matches
/// however long the adventure is (issue 5, docs/adr/0028-bounded-full-text-recall.md). Rare words are what tell
/// turns apart: BM25 weighs a word by how few turns contain it, and a word in over half of them weighs next to nothing.
/// </summary>
public static class TermSelection
{
    /// <summary>
    /// Drops words known to match over half of a large adventure (known only where they were counted that far; a word
    /// past the budget usually is not, and weighs about nothing by BM25's idf if it is that common). Of the rest, the rarest are matched, as many as fit in
    /// <paramref name="budget"/> matches (the rarest always; the store then ranks only its newest matches); all of the
    /// rest are weighed, so a word too common to search by still orders the turns found (the ring in "the amber ring").
    /// </summary>
    /// <param name="counts">Entries and per-term matches, in the order of <paramref name="terms"/>; a count may stop just past
    /// <paramref name="budget"/> (such a word is not matched while a rarer one is) or just past half the entries.</param>
    /// <param name="budget">The most matches worth ranking (<see cref="MemoryOptions.RankedMatches"/>).</param>
    public static TextQuery Select(IReadOnlyList<string> terms, TermCounts counts, int budget)
    {
        // An adventure within the budget is ranked in full, so nothing need be dropped: even a word in every turn
        // still orders a handful of turns (and a two-turn adventure has every word in over half of it).
        var large = counts.Entries > budget;
        var weighing = terms
            .Select((term, i) => (Term: term, Matches: counts.Matches[i], Position: i))
            .Where(t => !(large && t.Matches * 2L > counts.Entries))
            .OrderBy(t => t.Matches)
            .ThenBy(t => t.Position)
            .ToArray();
        var matching = new List<string>();
        var total = 0L;
        foreach (var (term, matches, _) in weighing)
        {
            if (matching.Count > 0 && total + matches > budget)
            {
                break;
            }
            matching.Add(term);
            total += matches;
        }
        return new TextQuery(matching, [.. weighing.Select(t => t.Term)]);
    }
}
