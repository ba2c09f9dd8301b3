using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Accounts;

/// <summary>A user's own signed-in devices: list them, sign one out, sign out here.</summary>
public sealed class SessionService(ISessionStore sessions, ActiveSessions active, AuditTrail audit, TimeProvider clock)
{
    public async Task<Page<UserSession>> ListAsync(
        string userId,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    )
    {
        var query = ListQuery.From(limit, cursor, null, null);
        var rows = await sessions.ListActiveAsync(
            userId,
            clock.GetUtcNow(),
            query.Limit + 1,
            query.AfterId,
            cancellationToken
        );
        var items = rows.Take(query.Limit).ToArray();
        return new Page<UserSession>(items, rows.Count > query.Limit ? Cursor.Encode(items[^1].Id) : null);
    }

    /// <summary>Revokes one of the user's sessions (it may be the current one). Another user's session does not
    /// exist.</summary>
    public async Task RevokeAsync(
        string userId,
        string sessionId,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        if (!await sessions.RevokeAsync(userId, sessionId, clock.GetUtcNow(), cancellationToken))
        {
            throw new NotFoundException("session", sessionId);
        }
        active.Forget(sessionId);
        await audit.RecordAsync(
            AuditActions.SessionRevoked,
            origin,
            cancellationToken,
            userId: userId,
            detail: "session=" + sessionId
        );
    }

    /// <summary>Signs out the session the request came with; its refresh token and access tokens stop
    /// working.</summary>
    public async Task LogoutAsync(
        string userId,
        string sessionId,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        // Already revoked (a second logout racing the first) is still a successful logout.
        await sessions.RevokeAsync(userId, sessionId, clock.GetUtcNow(), cancellationToken);
        active.Forget(sessionId);
        await audit.RecordAsync(
            AuditActions.Logout,
            origin,
            cancellationToken,
            userId: userId,
            detail: "session=" + sessionId
        );
    }
}
