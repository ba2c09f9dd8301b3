using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Storage.Documents;

namespace StoryEngine.Storage.Lore;

/// <summary>Characters' own lorebooks: the shared document shape in <c>character_lorebooks</c>, each row under its
/// character.</summary>
public sealed class CharacterLorebookStore(IStorageProvider provider) : ICharacterLorebookStore
{
    private readonly DocumentStore<Lorebook> _documents = new(provider, "character_lorebooks", "characters");

    public Task<StoredResource<Lorebook>?> GetAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    ) => _documents.GetAsync(scope, id, cancellationToken);

    public Task<bool> ExistsAsync(ResourceScope scope, string id, CancellationToken cancellationToken) =>
        _documents.ExistsAsync(scope, id, cancellationToken);

    public Task<Page<StoredResource<Lorebook>>> ListAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    ) => _documents.ListAsync(scope, query, deleted, cancellationToken);

    public Task<Page<ResourceSummary>> ListSummariesAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    ) => _documents.ListSummariesAsync(scope, query, deleted, cancellationToken);

    public Task InsertAsync(StoredResource<Lorebook> resource, CancellationToken cancellationToken) =>
        _documents.InsertAsync(resource, cancellationToken);

    public Task<bool> UpdateAsync(
        StoredResource<Lorebook> resource,
        long expectedVersion,
        CancellationToken cancellationToken
    ) => _documents.UpdateAsync(resource, expectedVersion, cancellationToken);

    public Task<IReadOnlyList<StoredResource<Lorebook>>> ListAllAsync(
        ResourceScope scope,
        CancellationToken cancellationToken
    ) => _documents.ListAllAsync(scope, cancellationToken);

    public Task<int> PurgeDeletedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _documents.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
}
