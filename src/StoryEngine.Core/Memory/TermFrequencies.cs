namespace StoryEngine.Core.Memory;

/// <summary>
/// How many of a scope's entries (an adventure's turns, a world's passages) contain each word, kept in process so a
/// search does not count them again (docs/adr/0028-bounded-full-text-recall.md). The counts only choose which words to
/// search, so they may lag the index a little: they are counted again after <see cref="MaxStaleWrites"/> index writes,
/// not after every turn (each completed turn is one write, and recounting every word of every prompt would cost more
/// than it saves).
/// </summary>
public sealed class TermFrequencies(ITermCounter store, MemoryOptions options, TimeProvider clock)
{
    /// <summary>Index writes (about one per turn) after which an adventure's counts are thrown away and counted
    /// again.</summary>
    public const int MaxStaleWrites = 64;

    private readonly BoundedCache<string, Counted> _adventures = new(options.CachedPartitions, clock);

    /// <summary>
    /// The words of <paramref name="terms"/> worth searching in the scope, within <paramref name="budget"/> ranked
    /// matches (<see cref="TermSelection"/>): counted as far as a word may be weighed, and only when every word is past
    /// the budget counted on to just past half the scope, to drop the words in over half of it.
    /// </summary>
    /// <param name="generation">When given, the counts must be of this index generation (they are counted again
    /// otherwise), and so are exact: a word they find in no entry is left out, so it cannot take the rarest word's
    /// place and leave the search with nothing to find. Without it counts may lag (see the class), and such a word is
    /// still searched.</param>
    public async Task<TextQuery> SelectAsync(
        string scopeId,
        IReadOnlyList<string> terms,
        int budget,
        CancellationToken cancellationToken,
        long? generation = null
    )
    {
        var counts = await GetAsync(scopeId, terms, TermSelection.CountLimit(budget), cancellationToken);
        if (generation is { } current && counts.Generation != current)
        {
            Forget(scopeId);
            counts = await GetAsync(scopeId, terms, TermSelection.CountLimit(budget), cancellationToken);
        }
        if (counts.Entries > budget && counts.Matches.All(m => m > budget))
        {
            counts = await GetAsync(scopeId, terms, counts.Entries / 2 + 1, cancellationToken);
        }
        if (generation is null)
        {
            return TermSelection.Select(terms, counts, budget);
        }
        var found = Enumerable.Range(0, terms.Count).Where(i => counts.Matches[i] > 0).ToArray();
        return TermSelection.Select(
            [.. found.Select(i => terms[i])],
            counts with
            {
                Matches = [.. found.Select(i => counts.Matches[i])],
            },
            budget
        );
    }

    /// <param name="limit">Counts are needed up to here: a word counted before to a lower limit, and reaching it, is
    /// counted again.</param>
    public async Task<TermCounts> GetAsync(
        string adventureId,
        IReadOnlyList<string> terms,
        int limit,
        CancellationToken cancellationToken
    )
    {
        _adventures.TryGet(adventureId, out var counted);
        var missing = counted is null
            ? terms
            : terms.Where(t => !(counted.Matches.TryGetValue(t, out var c) && c.Serves(limit))).ToArray();
        if (counted is null || missing.Count > 0)
        {
            var fresh = await store.CountTermsAsync(adventureId, missing, limit, cancellationToken);
            counted ??= new Counted(fresh.Generation, fresh.Entries);
            for (var i = 0; i < missing.Count; i++)
            {
                counted.Matches[missing[i]] = new Count(fresh.Matches[i], limit);
            }
            _adventures.Set(adventureId, counted);
        }
        return new TermCounts(
            counted.Entries,
            terms.Select(t => Math.Min(counted.Matches[t].Value, limit)).ToArray(),
            counted.Generation
        );
    }

    /// <summary>
    /// Told the adventure's generation after a search (it comes back with the hits, so learning it costs no round
    /// trip): counts more than <see cref="MaxStaleWrites"/> writes old are dropped, and the next recall counts again.
    /// One recall may so use counts a few writes older than the limit; they only choose which words to search.
    /// </summary>
    public void Observe(string adventureId, long generation)
    {
        if (
            _adventures.TryGet(adventureId, out var counted)
            && (generation < counted.Generation || generation - counted.Generation > MaxStaleWrites)
        )
        {
            _adventures.Remove(adventureId);
        }
    }

    public void Forget(string adventureId) => _adventures.Remove(adventureId);

    /// <summary>A word's count, made up to <see cref="Limit"/>: exact below it, "at least" at it.</summary>
    private sealed record Count(int Value, int Limit)
    {
        public bool Serves(int limit) => Value < Limit || Limit >= limit;
    }

    private sealed class Counted(long generation, int entries)
    {
        public long Generation { get; } = generation;

        public int Entries { get; } = entries;

        public System.Collections.Concurrent.ConcurrentDictionary<string, Count> Matches { get; } =
            new(StringComparer.Ordinal);
    }
}
