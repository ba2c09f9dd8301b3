namespace StoryEngine.Core.Memory;

/// <summary>
/// Each adventure's vectors, read from the database once and kept while its index generation is unchanged, so a
/// recall costs one small query plus the in-process scan (docs/adr/0019-memory-recall.md). Bounded by
/// <see cref="MemoryOptions.CachedPartitions"/>; the least recently used partition leaves first.
/// </summary>
public sealed class VectorPartitions(IMemoryStore store, MemoryOptions options, TimeProvider clock)
{
    private readonly BoundedCache<(string Adventure, string Model), StoredVectors> _partitions = new(
        options.CachedPartitions,
        clock
    );

    /// <param name="generation">The adventure's index generation, read by the caller before this call (<see
    /// cref="IMemoryStore.GetGenerationAsync"/>).</param>
    public async Task<StoredVectors> GetAsync(
        string adventureId,
        string model,
        long generation,
        CancellationToken cancellationToken
    )
    {
        var key = (adventureId, model);
        if (_partitions.TryGet(key, out var cached) && cached.Generation == generation)
        {
            return cached;
        }
        var vectors = await store.LoadVectorsAsync(adventureId, model, cancellationToken);
        _partitions.Set(key, vectors);
        return vectors;
    }
}
