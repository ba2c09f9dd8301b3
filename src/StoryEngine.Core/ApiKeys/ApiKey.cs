namespace StoryEngine.Core.ApiKeys;

/// <summary>
/// A key a user made for a script. The key itself (<c>se_&lt;public id&gt;_&lt;secret&gt;</c>) is shown once; only
/// <see cref="KeyHash"/> is kept. <see cref="Prefix"/> (<c>se_&lt;public id&gt;</c>) is what lists show, so a
/// leaked key found in a log can be matched to its row and revoked.
/// </summary>
public sealed record ApiKey(
    string Id,
    string UserId,
    string PublicId,
    string Name,
    string KeyHash,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt
)
{
    public string Prefix => ApiKeyFormat.Prefix + PublicId;

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A key joined with its owner's state, for the per-request check.</summary>
public sealed record ApiKeyState(ApiKey Key, string Username, DateTimeOffset? UserDisabledAt, bool UserIsAdmin);

/// <summary>A key that checked out: who it acts for and what it may do.</summary>
public sealed record ApiKeyPrincipal(
    string KeyId,
    string UserId,
    string Username,
    IReadOnlyList<string> Scopes,
    bool IsAdmin
);

/// <summary>A key just made: the row and the key itself, which nobody will see again.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>What a key may do (issue 4 §3). docs/adr/0011-api-keys.md says which routes each one opens.</summary>
public static class ApiKeyScopes
{
    /// <summary>GET requests: reading worlds, adventures, one's own account.</summary>
    public const string Read = "read";

    /// <summary>World building: creating, changing and deleting worlds, their contents and personas.</summary>
    public const string Write = "write";

    /// <summary>Playing: starting adventures and taking, retrying, editing and undoing turns.</summary>
    public const string Play = "play";

    /// <summary>The admin routes, and only while the key's owner is an admin.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Read, Write, Play, Admin];
}
