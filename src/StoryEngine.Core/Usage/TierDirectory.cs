using System.Collections.Concurrent;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Core.Usage;

/// <summary>
/// Which tier a user is on, for the rate limiter on every request: remembered for <c>cacheFor</c> so a request costs
/// no query, forgotten at once when this process changes the user's tier (elsewhere: within <c>cacheFor</c>).
/// </summary>
public sealed class TierDirectory(IUserStore users, TierCatalog tiers, TimeProvider clock, TimeSpan cacheFor)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, (string? Tier, DateTimeOffset FetchedAt)> _cache = new(
        StringComparer.Ordinal
    );

    public async ValueTask<Tier> OfAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(userId, out var cached) && now - cached.FetchedAt < cacheFor)
        {
            return tiers.Resolve(cached.Tier);
        }
        var user = await users.GetAsync(userId, cancellationToken);
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear(); // bounded: many users cost queries, never memory
        }
        _cache[userId] = (user?.Tier, now);
        return tiers.Resolve(user?.Tier);
    }

    public void Forget(string userId)
    {
        ForgetHere(userId);
        Changed?.Invoke(userId);
    }

    /// <summary>Forgets on this node only: what another node's <see cref="Forget"/> does here.</summary>
    public void ForgetHere(string userId) => _cache.TryRemove(userId, out _);

    /// <summary>Raised by <see cref="Forget"/>, so the other nodes of a cluster forget the user's tier too.</summary>
    public event Action<string>? Changed;
}
