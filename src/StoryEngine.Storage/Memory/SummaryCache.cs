using System.Collections.Concurrent;
using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// The summaries of recently played adventures, each under the stamp of the rows it was read from (issue 19): every
/// turn needs them, and a long story has hundreds, so a turn asks the database only for the stamp (the summary cursor
/// every replacement moves, and the rows' count and sums of creation times and end turns, which a delete changes) and
/// reads the texts again only when it moved. The database stays the truth, so another node's or a job's writes are
/// seen at the next turn.
/// </summary>
internal sealed class SummaryCache
{
    /// <summary>Adventures kept; past that the cache starts over (a turn reads the rows once more).</summary>
    public const int Capacity = 256;

    public readonly record struct Stamp(long Count, long CreatedSum, long ToTurnSum, long? Through, long? Version);

    private readonly ConcurrentDictionary<string, (Stamp Stamp, IReadOnlyList<StorySummary> Summaries)> _entries = new(
        StringComparer.Ordinal
    );

    public IReadOnlyList<StorySummary>? Get(string adventureId, Stamp stamp) =>
        _entries.TryGetValue(adventureId, out var entry) && entry.Stamp == stamp ? entry.Summaries : null;

    public void Put(string adventureId, Stamp stamp, IReadOnlyList<StorySummary> summaries)
    {
        if (_entries.Count >= Capacity && !_entries.ContainsKey(adventureId))
        {
            _entries.Clear();
        }
        _entries[adventureId] = (stamp, summaries);
    }
}
