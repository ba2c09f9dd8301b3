using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Scenarios;

/// <summary>One saved state of a scenario, never changed once written. <see cref="Number"/> counts saves from
/// 1.</summary>
public sealed record ScenarioVersion(string ScenarioId, int Number, Scenario Body, DateTimeOffset CreatedAt);

/// <summary>The immutable versions of scenarios: one per save whose content changed.</summary>
public interface IScenarioVersionStore
{
    /// <summary>Appends <paramref name="body"/> as the next version unless it equals the newest; the number it has
    /// (new or the newest's).</summary>
    Task<int> AppendIfChangedAsync(
        string ownerId,
        string scenarioId,
        Scenario body,
        DateTimeOffset at,
        CancellationToken cancellationToken
    );

    Task<ScenarioVersion?> GetAsync(string ownerId, string scenarioId, int number, CancellationToken cancellationToken);

    /// <summary>Newest first, below <paramref name="beforeNumber"/> when given.</summary>
    Task<IReadOnlyList<ScenarioVersion>> ListAsync(
        string ownerId,
        string scenarioId,
        int? beforeNumber,
        int limit,
        CancellationToken cancellationToken
    );

    Task<int> LatestNumberAsync(string ownerId, string scenarioId, CancellationToken cancellationToken);

    /// <summary>The owner's live scenarios marked as templates, in every live world (the template gallery).</summary>
    Task<IReadOnlyList<Resources.ResourceSummary>> ListTemplatesAsync(
        string ownerId,
        CancellationToken cancellationToken
    );

    /// <summary>The world a scenario of the owner's lives in (null when there is no such scenario).</summary>
    Task<string?> WorldOfAsync(string ownerId, string scenarioId, CancellationToken cancellationToken);

    /// <summary>Removes the versions and share links of scenarios that no longer exist.</summary>
    Task<int> PurgeOrphansAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The scenarios' store: the shared document store for the current row, plus a version per content change. The
/// version is written after the row's update succeeded (its version check passed), so a lost update never leaves a
/// version behind; deletes, restores and touches keep the body and so add none.
/// </summary>
public sealed class VersionedScenarioStore(IResourceStore<Scenario> inner, IScenarioVersionStore versions)
    : IResourceStore<Scenario>
{
    public Task<StoredResource<Scenario>?> GetAsync(ResourceScope scope, string id, CancellationToken ct) =>
        inner.GetAsync(scope, id, ct);

    public Task<bool> ExistsAsync(ResourceScope scope, string id, CancellationToken ct) =>
        inner.ExistsAsync(scope, id, ct);

    public Task<Page<StoredResource<Scenario>>> ListAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken ct
    ) => inner.ListAsync(scope, query, deleted, ct);

    public Task<Page<ResourceSummary>> ListSummariesAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken ct
    ) => inner.ListSummariesAsync(scope, query, deleted, ct);

    public async Task InsertAsync(StoredResource<Scenario> resource, CancellationToken ct)
    {
        await inner.InsertAsync(resource, ct);
        await versions.AppendIfChangedAsync(resource.OwnerId, resource.Id, resource.Body, resource.UpdatedAt, ct);
    }

    public async Task<bool> UpdateAsync(StoredResource<Scenario> resource, long expectedVersion, CancellationToken ct)
    {
        if (!await inner.UpdateAsync(resource, expectedVersion, ct))
        {
            return false;
        }
        if (resource.DeletedAt is null)
        {
            await versions.AppendIfChangedAsync(resource.OwnerId, resource.Id, resource.Body, resource.UpdatedAt, ct);
        }
        return true;
    }

    public Task<IReadOnlyList<StoredResource<Scenario>>> ListAllAsync(ResourceScope scope, CancellationToken ct) =>
        inner.ListAllAsync(scope, ct);

    public async Task<int> PurgeDeletedBeforeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var purged = await inner.PurgeDeletedBeforeAsync(cutoff, ct);
        await versions.PurgeOrphansAsync(ct);
        return purged;
    }
}
