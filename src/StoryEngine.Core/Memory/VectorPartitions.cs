using System.Collections.Concurrent;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Each adventure's vectors, read from the database once and kept while its index generation is unchanged, so a
/// recall costs one small query plus the in-process scan (docs/adr/0019-memory-recall.md). Bounded by
/// <see cref="MemoryOptions.CachedPartitions"/>; the least recently used partition leaves first.
/// </summary>
public sealed class VectorPartitions(IMemoryStore store, MemoryOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Adventure, string Model), Entry> _partitions = new();

    public async Task<StoredVectors> GetAsync(string adventureId, string model, CancellationToken cancellationToken)
    {
        var generation = await store.GetGenerationAsync(adventureId, cancellationToken);
        var key = (adventureId, model);
        if (_partitions.TryGetValue(key, out var cached) && cached.Vectors.Generation == generation)
        {
            cached.LastUsed = clock.GetTimestamp();
            return cached.Vectors;
        }
        var vectors = await store.LoadVectorsAsync(adventureId, model, cancellationToken);
        _partitions[key] = new Entry(vectors) { LastUsed = clock.GetTimestamp() };
        while (_partitions.Count > Math.Max(1, options.CachedPartitions))
        {
            var oldest = _partitions.MinBy(p => p.Value.LastUsed).Key;
            _partitions.TryRemove(oldest, out _);
        }
        return vectors;
    }

    private sealed class Entry(StoredVectors vectors)
    {
        public StoredVectors Vectors { get; } = vectors;

        public long LastUsed { get; set; }
    }
}
