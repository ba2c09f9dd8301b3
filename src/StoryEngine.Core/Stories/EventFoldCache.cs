using System.Collections.Concurrent;

namespace StoryEngine.Core.Stories;

/// <summary>A projection of one adventure's log that is brought up to date by applying the events after the last it
/// saw (<see cref="EventFoldCache{TFold}"/>).</summary>
public interface IEventFold
{
    /// <summary>The sequence of the last event applied.</summary>
    long Sequence { get; }

    /// <summary>Applies events in log order; events already applied (an overlapping page) are skipped.</summary>
    void Apply(IEnumerable<StoryEvent> events);
}

/// <summary>
/// One fold per recently used adventure, brought up to date from the log's tail on each use, so a turn reads only the
/// events since the last one (and only the kinds the fold needs) instead of the whole history. Every node keeps its
/// own: the log is the truth, and reading its tail is what keeps a fold right when another node wrote. A fold that is
/// not cached is built once from the log. A fold should read an event type every turn has (ActionTaken), so its
/// <see cref="IEventFold.Sequence"/> moves on and the tail stays short.
/// </summary>
public abstract class EventFoldCache<TFold>(IStoryLog log, IReadOnlyCollection<string> eventTypes)
    where TFold : class, IEventFold, new()
{
    private const int PageSize = 1000;

    /// <summary>Adventures kept; past that the least recently used are dropped (a large adventure's fold can be
    /// big).</summary>
    public const int Capacity = 256;

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public TFold Fold { get; set; } = new();

        public long LastUsed { get; set; }
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Runs <paramref name="read"/> on the adventure's fold, brought up to the newest event, while no one else
    /// changes it.</summary>
    public async Task<T> ReadAsync<T>(string adventureId, Func<TFold, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
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
                entry.Fold = new TFold(); // half a page applied is not a projection: start over next time
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

    private async Task CatchUpAsync(string adventureId, TFold fold, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await log.ReadAsync(adventureId, fold.Sequence, eventTypes, PageSize, cancellationToken);
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
