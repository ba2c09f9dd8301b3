using System.Collections.Concurrent;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// One <see cref="StateFold"/> per recently used adventure, brought up to date from the log's tail on each use, so a
/// turn reads only the events since the last one (and only the kinds the fold needs) instead of the whole history.
/// Every node keeps its own: the log is the truth, and reading its tail is what keeps a fold right when another node
/// wrote. A fold that is not cached is built once from the log.
/// </summary>
public sealed class WorldStateCache(IStoryLog log)
{
    private const int PageSize = 1000;

    /// <summary>Adventures kept; past that the least recently used are dropped (a large adventure's fold holds all its
    /// changes).</summary>
    public const int Capacity = 256;

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public StateFold Fold { get; set; } = new();

        public long LastUsed { get; set; }
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Runs <paramref name="read"/> on the adventure's fold, brought up to the newest event, while no one else
    /// changes it.</summary>
    public async Task<T> ReadAsync<T>(string adventureId, Func<StateFold, T> read, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(adventureId, _ => new Entry());
        entry.LastUsed = Interlocked.Increment(ref _clock);
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            try
            {
                await CatchUpAsync(adventureId, entry.Fold, cancellationToken);
            }
            catch
            {
                entry.Fold = new StateFold(); // half a page applied is not a state: start over next time
                throw;
            }
            return read(entry.Fold);
        }
        finally
        {
            entry.Gate.Release();
            TrimIfFull();
        }
    }

    /// <summary>Drops an adventure's fold (its log is gone or was replaced).</summary>
    public void Forget(string adventureId) => _entries.TryRemove(adventureId, out _);

    private async Task CatchUpAsync(string adventureId, StateFold fold, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await log.ReadAsync(
                adventureId,
                fold.Sequence,
                StateFold.EventTypes,
                PageSize,
                cancellationToken
            );
            fold.Apply(page);
            if (page.Count < PageSize)
            {
                return;
            }
        }
    }

    private void TrimIfFull()
    {
        if (_entries.Count <= Capacity)
        {
            return;
        }
        // ToArray is the dictionary's own atomic snapshot. Sorting the live dictionary read its count and then its
        // items, and when another turn trimmed in between, the gap came back as empty pairs (a null entry: a failed
        // narration under a burst of 500 turns, issue 19).
        var snapshot = _entries.ToArray();
        foreach (
            var (id, _) in snapshot.OrderBy(p => p.Value.LastUsed).Take(snapshot.Length - Capacity * 3 / 4).ToList()
        )
        {
            _entries.TryRemove(id, out _);
        }
    }
}
