using System.Collections.Concurrent;

namespace StoryEngine.Core.Memory;

/// <summary>
/// What recall keeps in process per adventure (vectors, word counts), at most <c>capacity</c> entries; the least
/// recently used leaves first. Eviction scans the entries, which is fine for the few dozen adventures kept.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, TimeProvider clock)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.LastUsed = clock.GetTimestamp();
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        _entries[key] = new Entry(value) { LastUsed = clock.GetTimestamp() };
        while (_entries.Count > Math.Max(1, capacity))
        {
            _entries.TryRemove(_entries.MinBy(p => p.Value.LastUsed).Key, out _);
        }
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);

    private sealed class Entry(TValue value)
    {
        public TValue Value { get; } = value;

        public long LastUsed { get; set; }
    }
}
