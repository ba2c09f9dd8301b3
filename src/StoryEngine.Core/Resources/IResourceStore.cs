namespace StoryEngine.Core.Resources;

/// <summary>
/// Storage for one kind of world data. Every call is scoped to an owner (and a parent where the kind has
/// one), so a caller can never see another user's rows. Writes check the expected version.
/// </summary>
public interface IResourceStore<TBody>
{
    /// <summary>The row, deleted or not; null when it does not exist in the scope or its parent is missing or
    /// deleted.</summary>
    Task<StoredResource<TBody>?> GetAsync(ResourceScope scope, string id, CancellationToken cancellationToken);

    /// <summary>Whether a live (not deleted) row with this id exists in the scope: the cheap check a world's
    /// contents make of their world on every request, without reading its body.</summary>
    Task<bool> ExistsAsync(ResourceScope scope, string id, CancellationToken cancellationToken);

    /// <summary>Live rows when <paramref name="deleted"/> is false, the trash when it is true; ordered by id. Inside a
    /// parent, an empty page when the parent is missing, another owner's or deleted.</summary>
    Task<Page<StoredResource<TBody>>> ListAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    );

    /// <summary>As <see cref="ListAsync"/>, but only what a list shows of each row: the store need not read the
    /// bodies.</summary>
    Task<Page<ResourceSummary>> ListSummariesAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    );

    Task InsertAsync(StoredResource<TBody> resource, CancellationToken cancellationToken);

    /// <summary>Writes the new body, version, timestamps and deletion mark; false when the stored version is no longer
    /// <paramref name="expectedVersion"/>.</summary>
    Task<bool> UpdateAsync(StoredResource<TBody> resource, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Every live row in the scope; only for kinds whose rules need the whole set (locations of one
    /// world).</summary>
    Task<IReadOnlyList<StoredResource<TBody>>> ListAllAsync(ResourceScope scope, CancellationToken cancellationToken);

    /// <summary>Removes for good every row deleted before <paramref name="cutoff"/>, and every row whose parent no
    /// longer exists.</summary>
    Task<int> PurgeDeletedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
