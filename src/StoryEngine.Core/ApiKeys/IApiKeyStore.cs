namespace StoryEngine.Core.ApiKeys;

public interface IApiKeyStore
{
    Task InsertAsync(ApiKey key, CancellationToken cancellationToken);

    /// <summary>The key with this public id joined with its owner's state; null when there is none.</summary>
    Task<ApiKeyState?> FindByPublicIdAsync(string publicId, CancellationToken cancellationToken);

    /// <summary>The user's keys that are not revoked (expired ones included, so their owner sees them lapse), newest
    /// first.</summary>
    Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Revokes one of the user's keys; false when it is not theirs, unknown or already revoked.</summary>
    Task<bool> RevokeAsync(string userId, string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Sets last_used_at to <paramref name="now"/> unless it is already later than <paramref
    /// name="notBefore"/>.</summary>
    Task TouchAsync(string id, DateTimeOffset now, DateTimeOffset notBefore, CancellationToken cancellationToken);
}
