using System.Collections.Concurrent;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// Answers, for every authenticated request, "is this access token's session still good, and is its user an admin?"
/// without a database query per request (docs/adr/0009-session-checks-without-a-query-per-request.md).
/// Each session's state is remembered for <c>cacheFor</c> (Auth:SessionCheckSeconds, default 5 s). Revocations made
/// by this process forget the entry at once, so they take effect on the next request; on a cluster every forget is
/// also sent to the other nodes (<see cref="Changed"/>, Server/Cluster/CacheInvalidation), which forget at once too;
/// those made by the CLI take effect within <c>cacheFor</c>.
/// </summary>
public sealed class ActiveSessions(ISessionStore sessions, TimeProvider clock, TimeSpan cacheFor)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, (SessionState? State, DateTimeOffset FetchedAt)> _cache = new(
        StringComparer.Ordinal
    );

    // Bumped by every Forget: a lookup that started before a revocation must not store what it read, or it could
    // cache "active" for a session that was revoked while the query ran.
    private long _generation;

    /// <summary>The session's current state when it is active and belongs to <paramref name="userId"/>; otherwise
    /// null.</summary>
    public async ValueTask<SessionState?> CheckAsync(
        string sessionId,
        string userId,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        SessionState? state;
        if (
            cacheFor > TimeSpan.Zero
            && _cache.TryGetValue(sessionId, out var cached)
            && now - cached.FetchedAt < cacheFor
        )
        {
            state = cached.State;
        }
        else
        {
            var generation = Interlocked.Read(ref _generation);
            state = await sessions.GetStateAsync(sessionId, cancellationToken);
            if (cacheFor > TimeSpan.Zero && Interlocked.Read(ref _generation) == generation)
            {
                if (_cache.Count >= MaxEntries)
                {
                    _cache.Clear(); // bounded: a flood of sessions costs queries, never memory
                }
                _cache[sessionId] = (state, now);
            }
        }
        return state is not null && state.UserId == userId && state.IsActive(now) ? state : null;
    }

    /// <summary>Raised by <see cref="Forget"/> ("session", its id) and <see cref="ForgetUser"/> ("user", its id), so
    /// the
    /// other nodes of a cluster forget too.</summary>
    public event Action<string, string>? Changed;

    /// <summary>Call after revoking a session.</summary>
    public void Forget(string sessionId)
    {
        ForgetHere(sessionId);
        Changed?.Invoke("session", sessionId);
    }

    /// <summary>Forgets on this node only: what another node's <see cref="Forget"/> does here.</summary>
    public void ForgetHere(string sessionId)
    {
        Interlocked.Increment(ref _generation);
        _cache.TryRemove(sessionId, out _);
    }

    /// <summary>Raised by <see cref="ForgetUser"/>, so other per-request caches of a user's standing (API keys) forget
    /// too.</summary>
    public event Action<string>? UserForgotten;

    /// <summary>Call after anything that changes all of a user's sessions: disabled, enabled, role changed, password
    /// changed.</summary>
    public void ForgetUser(string userId)
    {
        ForgetUserHere(userId);
        Changed?.Invoke("user", userId);
    }

    /// <summary>Forgets on this node only: what another node's <see cref="ForgetUser"/> does here.</summary>
    public void ForgetUserHere(string userId)
    {
        Interlocked.Increment(ref _generation);
        UserForgotten?.Invoke(userId);
        foreach (var (sessionId, entry) in _cache)
        {
            if (entry.State?.UserId == userId)
            {
                _cache.TryRemove(sessionId, out _);
            }
        }
    }
}
