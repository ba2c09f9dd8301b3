using System.Collections.Concurrent;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Tabletop;

/// <summary>
/// One <see cref="TabletopFold"/> per recently used adventure, brought up to date from the log's tail on each use (only
/// the kinds the fold reads), as the world state's cache does: a turn of a rules game reads the events since the last
/// one, not the history. Every node keeps its own; the log is the truth.
/// </summary>
public sealed class TabletopCache(IStoryLog log)
{
    private const int PageSize = 1000;

    public const int Capacity = 256;

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public TabletopFold Fold { get; set; } = new();

        public long LastUsed { get; set; }
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    public async Task<T> ReadAsync<T>(
        string adventureId,
        Func<TabletopFold, T> read,
        CancellationToken cancellationToken
    )
    {
        var entry = _entries.GetOrAdd(adventureId, _ => new Entry());
        entry.LastUsed = Interlocked.Increment(ref _clock);
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            try
            {
                while (true)
                {
                    var page = await log.ReadAsync(
                        adventureId,
                        entry.Fold.Sequence,
                        TabletopFold.EventTypes,
                        PageSize,
                        cancellationToken
                    );
                    entry.Fold.Apply(page);
                    if (page.Count < PageSize)
                    {
                        break;
                    }
                }
            }
            catch
            {
                entry.Fold = new TabletopFold(); // half a page applied is not a table: start over next time
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

    private void TrimIfFull()
    {
        if (_entries.Count <= Capacity)
        {
            return;
        }
        var snapshot = _entries.ToArray();
        foreach (var (id, _) in snapshot.OrderBy(p => p.Value.LastUsed).Take(snapshot.Length - Capacity * 3 / 4))
        {
            _entries.TryRemove(id, out _);
        }
    }
}
