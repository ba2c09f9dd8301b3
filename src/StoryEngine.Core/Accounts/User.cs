namespace StoryEngine.Core.Accounts;

/// <summary>An account. <see cref="PasswordHash"/> is in <see cref="PasswordHashing"/>'s self-describing format.</summary>
public sealed record User(string Id, string Username, string PasswordHash, bool IsAdmin, DateTimeOffset CreatedAt);

/// <summary>A signed-in device: it holds one refresh token, stored only as a hash.</summary>
public sealed record UserSession(string Id, string UserId, string RefreshTokenHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

public interface IUserStore
{
    Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken);

    Task<User?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>False when the username is taken (compared case-insensitively).</summary>
    Task<bool> TryInsertAsync(User user, CancellationToken cancellationToken);

    Task<long> CountAsync(CancellationToken cancellationToken);
}

public interface ISessionStore
{
    Task InsertAsync(UserSession session, CancellationToken cancellationToken);

    Task<UserSession?> FindByRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken);

    /// <summary>Swaps the refresh token; false when <paramref name="expectedHash"/> was already swapped by a concurrent refresh.</summary>
    Task<bool> RotateAsync(string sessionId, string expectedHash, string newHash, DateTimeOffset newExpiry, CancellationToken cancellationToken);
}
