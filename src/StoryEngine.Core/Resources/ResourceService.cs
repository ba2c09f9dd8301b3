using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Resources;

/// <summary>
/// Create, read, replace, delete (to the trash) and restore for one kind of world data.
/// Write path: load with version -> decide -> write with a version check, so two editors never
/// silently overwrite each other.
/// </summary>
public sealed class ResourceService<TBody>(IResourceStore<TBody> store, IResourceRules<TBody> rules, TimeProvider clock)
    where TBody : class, IResourceBody<TBody>
{
    public async Task<StoredResource<TBody>> GetAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        // The store only returns rows whose parent is live, so the parent check is needed only to explain a miss.
        if (await store.GetAsync(scope, id, cancellationToken) is { DeletedAt: null } found)
        {
            return found;
        }
        await rules.EnsureParentAsync(scope, cancellationToken);
        throw new NotFoundException(TBody.Kind, id);
    }

    public async Task<Page<StoredResource<TBody>>> ListAsync(
        ResourceScope scope,
        ListQuery query,
        CancellationToken cancellationToken
    )
    {
        return await ExplainedAsync(
            scope,
            await store.ListAsync(scope, query, deleted: false, cancellationToken),
            cancellationToken
        );
    }

    public async Task<Page<StoredResource<TBody>>> ListTrashAsync(
        ResourceScope scope,
        ListQuery query,
        CancellationToken cancellationToken
    )
    {
        return await ExplainedAsync(
            scope,
            await store.ListAsync(scope, query, deleted: true, cancellationToken),
            cancellationToken
        );
    }

    /// <summary>A page of summaries, live ones or (<paramref name="deleted"/>) the trash.</summary>
    public async Task<Page<ResourceSummary>> ListSummariesAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    )
    {
        return await ExplainedAsync(
            scope,
            await store.ListSummariesAsync(scope, query, deleted, cancellationToken),
            cancellationToken
        );
    }

    // The store shows nothing inside a parent that is not the caller's live one, so the parent check is needed only
    // to tell an empty page from a missing parent (one query for the usual list page, issue 19).
    private async Task<Page<T>> ExplainedAsync<T>(
        ResourceScope scope,
        Page<T> page,
        CancellationToken cancellationToken
    )
    {
        if (page.Items.Count == 0)
        {
            await rules.EnsureParentAsync(scope, cancellationToken);
        }
        return page;
    }

    public async Task<StoredResource<TBody>> CreateAsync(
        ResourceScope scope,
        TBody body,
        CancellationToken cancellationToken
    )
    {
        await rules.EnsureParentAsync(scope, cancellationToken);
        var id = Ids.New();
        await ValidateAsync(scope, id, body, cancellationToken);
        var now = Now();
        var created = new StoredResource<TBody>(id, scope.OwnerId, scope.ParentId, body, 1, now, now, null);
        await store.InsertAsync(created, cancellationToken);
        return created;
    }

    /// <summary>Replaces the body. <paramref name="expectedVersion"/> comes from If-Match; null means "whatever is
    /// there".</summary>
    public async Task<StoredResource<TBody>> ReplaceAsync(
        ResourceScope scope,
        string id,
        TBody body,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        await rules.EnsureParentAsync(scope, cancellationToken);
        var current = await LoadLiveAsync(scope, id, cancellationToken);
        EnsureVersion(current, expectedVersion);
        await ValidateAsync(scope, id, body, cancellationToken);
        var updated = current with { Body = body, Version = current.Version + 1, UpdatedAt = Now() };
        await WriteAsync(current, updated, cancellationToken);
        return updated;
    }

    /// <summary>
    /// A new version with the same body, for a change to something shown with the resource (its picture): its ETag
    /// and those of the lists it is in change with it, so no client keeps a stale <c>avatarUrl</c>.
    /// </summary>
    public async Task<StoredResource<TBody>> TouchAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        await rules.EnsureParentAsync(scope, cancellationToken);
        var current = await LoadLiveAsync(scope, id, cancellationToken);
        var updated = current with { Version = current.Version + 1, UpdatedAt = Now() };
        await WriteAsync(current, updated, cancellationToken);
        return updated;
    }

    /// <summary>Moves the resource to the trash, from which <see cref="RestoreAsync"/> brings it back for <see
    /// cref="Trash.TrashPolicy.Retention"/>.</summary>
    public async Task DeleteAsync(
        ResourceScope scope,
        string id,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        await rules.EnsureParentAsync(scope, cancellationToken);
        var current = await LoadLiveAsync(scope, id, cancellationToken);
        EnsureVersion(current, expectedVersion);
        await rules.EnsureDeletableAsync(scope, id, cancellationToken);
        var now = Now();
        await WriteAsync(
            current,
            current with
            {
                Version = current.Version + 1,
                UpdatedAt = now,
                DeletedAt = now,
            },
            cancellationToken
        );
    }

    public async Task<StoredResource<TBody>> RestoreAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        await rules.EnsureParentAsync(scope, cancellationToken);
        var current = await store.GetAsync(scope, id, cancellationToken);
        if (current is null || current.DeletedAt is null)
        {
            throw current is null
                ? new NotFoundException(TBody.Kind, id)
                : new ConflictException($"The {TBody.Kind} '{id}' is not in the trash.", "not_deleted");
        }
        var restored = current with { Version = current.Version + 1, UpdatedAt = Now(), DeletedAt = null };
        await WriteAsync(current, restored, cancellationToken);
        return restored;
    }

    private async Task<StoredResource<TBody>> LoadLiveAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        var current = await store.GetAsync(scope, id, cancellationToken);
        return current is { DeletedAt: null } ? current : throw new NotFoundException(TBody.Kind, id);
    }

    private async Task ValidateAsync(ResourceScope scope, string id, TBody body, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        body.Validate(errors);
        errors.ThrowIfAny();
        await rules.ValidateAsync(scope, id, body, errors, cancellationToken);
        errors.ThrowIfAny();
    }

    private async Task WriteAsync(
        StoredResource<TBody> current,
        StoredResource<TBody> next,
        CancellationToken cancellationToken
    )
    {
        if (!await store.UpdateAsync(next, current.Version, cancellationToken))
        {
            throw new PreconditionFailedException(TBody.Kind, current.Id, current.Body.Name);
        }
    }

    private static void EnsureVersion(StoredResource<TBody> current, long? expectedVersion)
    {
        if (expectedVersion is { } expected && expected != current.Version)
        {
            throw new PreconditionFailedException(TBody.Kind, current.Id, current.Body.Name);
        }
    }

    private DateTimeOffset Now() => clock.GetUtcNow();
}
