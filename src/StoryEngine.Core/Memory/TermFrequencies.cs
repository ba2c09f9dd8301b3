namespace StoryEngine.Core.Memory;

/// <summary>
/// How many of an adventure's turns contain each word, kept in process so a recall does not count them again
/// (docs/adr/0028-bounded-full-text-recall.md). The counts only choose which words to search, so they may lag the
/// index a little: they are counted again after <see cref="MaxStaleWrites"/> index writes, not after every turn
/// (each completed turn is one write, and recounting every word of every prompt would cost more than it saves).
/// </summary>
public sealed class TermFrequencies(IMemoryStore store, MemoryOptions options, TimeProvider clock)
{
    /// <summary>Index writes (about one per turn) after which an adventure's counts are thrown away and counted again.</summary>
    public const int MaxStaleWrites = 64;

    private readonly BoundedCache<string, Counted> _adventures = new(options.CachedPartitions, clock);

    /// <param name="generation">The adventure's index generation now (<see cref="IMemoryStore.GetGenerationAsync"/>).</param>
    public async Task<TermCounts> GetAsync(string adventureId, long generation, IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        if (!_adventures.TryGet(adventureId, out var counted) || generation < counted.Generation || generation - counted.Generation > MaxStaleWrites)
        {
            counted = null;
        }
        var missing = counted is null ? terms : terms.Where(t => !counted.Matches.ContainsKey(t)).ToArray();
        if (counted is null || missing.Count > 0)
        {
            var fresh = await store.CountTermsAsync(adventureId, missing, cancellationToken);
            counted ??= new Counted(generation, fresh.Entries);
            for (var i = 0; i < missing.Count; i++)
            {
                counted.Matches[missing[i]] = fresh.Matches[i];
            }
            _adventures.Set(adventureId, counted);
        }
        return new TermCounts(counted.Entries, terms.Select(t => counted.Matches[t]).ToArray());
    }

    private sealed class Counted(long generation, int entries)
    {
        public long Generation { get; } = generation;

        public int Entries { get; } = entries;

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Matches { get; } = new(StringComparer.Ordinal);
    }
}
