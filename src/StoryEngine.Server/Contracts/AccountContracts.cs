using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;

namespace StoryEngine.Server.Contracts;

/// <summary>A signed-in device as its owner sees it. Never the refresh token, not even its hash.</summary>
public sealed record SessionResponse(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset ExpiresAt,
    bool Current,
    string? UserAgent,
    string? Ip
)
{
    public static SessionResponse From(UserSession session, string currentSessionId) =>
        new(
            session.Id,
            session.CreatedAt,
            session.LastUsedAt,
            session.ExpiresAt,
            session.Id == currentSessionId,
            session.UserAgent,
            session.Ip
        );
}

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>An account as an admin sees it.</summary>
// Tier null means the default tier (Usage:DefaultTier); a token quota null means the tier's.
public sealed record AdminUserResponse(
    string Id,
    string Username,
    string Role,
    bool IsAdmin,
    DateTimeOffset CreatedAt,
    bool Disabled,
    DateTimeOffset? DisabledAt,
    string? Tier,
    long? DailyTokenQuota,
    long? MonthlyTokenQuota
)
{
    public static AdminUserResponse From(User user) =>
        new(
            user.Id,
            user.Username,
            user.Role,
            user.IsAdmin,
            user.CreatedAt,
            user.DisabledAt is not null,
            user.DisabledAt,
            user.Tier,
            user.DailyTokenQuota,
            user.MonthlyTokenQuota
        );
}

public sealed record SetRoleRequest(string? Role);

public sealed record AuditEntryResponse(
    string Id,
    DateTimeOffset At,
    string Action,
    string? UserId,
    string? ActorId,
    string? Username,
    string? Ip,
    string? UserAgent,
    string? Detail
)
{
    public static AuditEntryResponse From(AuditEntry entry) =>
        new(
            entry.Id,
            entry.At,
            entry.Action,
            entry.UserId,
            entry.ActorId,
            entry.Username,
            entry.Ip,
            entry.UserAgent,
            entry.Detail
        );
}
