namespace StoryEngine.Core.Accounts;

/// <summary>
/// An account. <see cref="PasswordHash"/> is in <see cref="PasswordHashing"/>'s self-describing format. A disabled
/// account (<see cref="DisabledAt"/> set) cannot sign in and its sessions stop working. <see cref="Tier"/> null means
/// the default tier; the token quotas, when set, override the tier's for this user alone.
/// </summary>
public sealed record User(
    string Id,
    string Username,
    string PasswordHash,
    bool IsAdmin,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt = null,
    string? Tier = null,
    long? DailyTokenQuota = null,
    long? MonthlyTokenQuota = null
)
{
    public string Role => IsAdmin ? Roles.Admin : Roles.User;
}

/// <summary>The two roles (issue 4): an admin manages accounts and reads the audit log; a user plays.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string User = "user";
}

/// <summary>
/// A signed-in device: it holds one refresh token, stored only as a hash. <see cref="LastUsedAt"/> is the last
/// sign-in or refresh, not every request (that would be a database write per request).
/// </summary>
public sealed record UserSession(
    string Id,
    string UserId,
    string RefreshTokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt = null,
    string? UserAgent = null,
    string? Ip = null
);

/// <summary>What a request needs to know about its session on every call: is it still good, and with which
/// role.</summary>
public sealed record SessionState(
    string SessionId,
    string UserId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? UserDisabledAt,
    bool IsAdmin
)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && UserDisabledAt is null && ExpiresAt > now;
}
