namespace StoryEngine.Core.Memory;

/// <summary>
/// Which of a query's words full-text recall searches for, so that ranking costs at most a fixed number of matches
/// however long the adventure is (issue 5, docs/adr/0028-bounded-full-text-recall.md). Rare words are what tell
/// turns apart: BM25 weighs a word by how few turns contain it, and a word in over half of them weighs next to nothing.
/// </summary>
public static class TermSelection
{
    /// <summary>
    /// Words weighed may match this many times the budget, rarest first: weighing walks a word's matches but ranks none
    /// of them, so it costs far less a match than ranking; a word past it (over 40% of a 10,000-turn adventure at the
    /// default budget) would add next to nothing to BM25 and cost the most.
    /// </summary>
    public const int WeighedPerRanked = 4;

    /// <summary>How far the words of a query are counted: far enough to know every word that may be weighed.</summary>
    public static int CountLimit(int budget) => WeighedPerRanked * budget + 1;

    /// <summary>
    /// Drops words that match over half of a large adventure. Of the rest, the rarest are matched, as many as fit in
    /// <paramref name="budget"/> matches (the rarest always; the store then ranks only its newest matches), and the
    /// rarest that fit in <see cref="WeighedPerRanked"/> times that are weighed, so a word too common to search by
    /// still
    /// orders the turns found (the ring in "the amber ring").
    /// </summary>
    /// <param name="counts">Entries and per-term matches, in the order of <paramref name="terms"/>; a count may stop at
    /// <see cref="CountLimit"/> (such a word is neither matched nor weighed while a rarer one is) or just past half the
    /// entries.</param>
    /// <param name="budget">The most matches worth ranking (<see cref="MemoryOptions.RankedMatches"/>).</param>
    public static TextQuery Select(IReadOnlyList<string> terms, TermCounts counts, int budget)
    {
        // An adventure within the budget is ranked in full, so nothing need be dropped: even a word in every turn
        // still orders a handful of turns (and a two-turn adventure has every word in over half of it).
        var large = counts.Entries > budget;
        var useful = terms
            .Select((term, i) => (Term: term, Matches: counts.Matches[i], Position: i))
            .Where(t => !(large && t.Matches * 2L > counts.Entries))
            .OrderBy(t => t.Matches)
            .ThenBy(t => t.Position)
            .ToArray();
        return new TextQuery(Rarest(useful, budget), Rarest(useful, (long)WeighedPerRanked * budget));
    }

    /// <summary>
    /// The rarest of <paramref name="words"/> (given rarest first) whose matches add up to at most <paramref
    /// name="most"/>,
    /// the rarest always; in the query's order, which is how the context inspector shows them.
    /// </summary>
    private static List<string> Rarest(IReadOnlyList<(string Term, int Matches, int Position)> words, long most)
    {
        var taken = new List<(string Term, int Position)>();
        var total = 0L;
        foreach (var (term, matches, position) in words)
        {
            if (taken.Count > 0 && total + matches > most)
            {
                break;
            }
            taken.Add((term, position));
            total += matches;
        }
        return [.. taken.OrderBy(t => t.Position).Select(t => t.Term)];
    }
}
