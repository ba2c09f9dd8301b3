namespace StoryEngine.Core.Accounts;

public interface ISessionStore
{
    Task InsertAsync(UserSession session, CancellationToken cancellationToken);

    Task<UserSession?> FindByRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken);

    /// <summary>The session a refresh token belonged to before it was rotated away; how reuse is recognised.</summary>
    Task<UserSession?> FindByRetiredTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Swaps the refresh token and keeps the old hash as retired; false when <paramref name="expectedHash"/> was
    /// already swapped (by a concurrent refresh) or the session was revoked.
    /// </summary>
    Task<bool> RotateAsync(
        string sessionId,
        string expectedHash,
        string newHash,
        DateTimeOffset now,
        DateTimeOffset newExpiry,
        CancellationToken cancellationToken
    );

    /// <summary>The session joined with its user's state, for the per-request check; null when no such session
    /// exists.</summary>
    Task<SessionState?> GetStateAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>One user's sessions that are neither revoked nor expired, newest first, ids below <paramref
    /// name="beforeId"/>.</summary>
    Task<IReadOnlyList<UserSession>> ListActiveAsync(
        string userId,
        DateTimeOffset now,
        int limit,
        string? beforeId,
        CancellationToken cancellationToken
    );

    /// <summary>Revokes one of the user's active sessions; false when it is not theirs, not active, or
    /// unknown.</summary>
    Task<bool> RevokeAsync(string userId, string sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every active session of the user except <paramref name="exceptSessionId"/>; returns how
    /// many.</summary>
    Task<int> RevokeAllAsync(
        string userId,
        string? exceptSessionId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    );
}
