using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.ApiKeys;

/// <summary>
/// A user's API keys: made, listed, revoked, and checked on every request that carries one. Like
/// <see cref="ActiveSessions"/>, a key's state is remembered for <c>cacheFor</c> (Auth:SessionCheckSeconds) so a
/// script does not cost a query per request; revocations made here apply at once.
/// </summary>
public sealed class ApiKeyService
{
    public const int MaxKeysPerUser = 50;
    public const int MaxNameLength = 100;

    /// <summary>lastUsedAt is written at most this often per key: a busy script must not turn every read into a
    /// write.</summary>
    public static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private const int MaxCached = 100_000;
    private readonly ConcurrentDictionary<string, (ApiKeyState? State, DateTimeOffset FetchedAt)> _cache = new(
        StringComparer.Ordinal
    );
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);
    private readonly IApiKeyStore store;
    private readonly IUserStore users;
    private readonly AuditTrail audit;
    private readonly TimeProvider clock;
    private readonly TimeSpan cacheFor;
    private long _generation;

    public ApiKeyService(
        IApiKeyStore store,
        IUserStore users,
        ActiveSessions sessions,
        AuditTrail audit,
        TimeProvider clock,
        TimeSpan cacheFor
    )
    {
        this.store = store;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
        this.cacheFor = cacheFor;
        // Disabling a user or changing their role forgets their sessions; their keys must follow at once too.
        sessions.UserForgotten += ForgetUser;
    }

    public async Task<CreatedApiKey> CreateAsync(
        string userId,
        string? name,
        IReadOnlyList<string>? scopes,
        DateTimeOffset? expiresAt,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            errors.Add("name", "name is required: say what the key is for.");
        }
        else if (trimmed.Length > MaxNameLength)
        {
            errors.Add("name", $"name must be at most {MaxNameLength} characters.");
        }
        var wanted = (scopes ?? [])
            .Select(s => s?.Trim().ToLowerInvariant() ?? "")
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (wanted.Length == 0)
        {
            errors.Add("scopes", $"scopes must name at least one of: {string.Join(", ", ApiKeyScopes.All)}.");
        }
        else if (wanted.FirstOrDefault(s => !ApiKeyScopes.All.Contains(s)) is { } unknown)
        {
            errors.Add("scopes", $"'{unknown}' is not a scope; use {string.Join(", ", ApiKeyScopes.All)}.");
        }
        else if (wanted.Contains(ApiKeyScopes.Admin) && !user.IsAdmin)
        {
            errors.Add("scopes", "Only an admin can make a key with the admin scope.");
        }
        if (expiresAt is { } expiry && expiry <= now)
        {
            errors.Add("expiresAt", "expiresAt must be in the future.");
        }
        errors.ThrowIfAny();
        if ((await store.ListAsync(userId, cancellationToken)).Count(k => k.IsActive(now)) >= MaxKeysPerUser)
        {
            throw new ConflictException(
                $"You have {MaxKeysPerUser} active keys, the most allowed. Revoke one you " + "no longer use.",
                "too_many_keys"
            );
        }

        var (publicId, secret) = ApiKeyFormat.New();
        var ordered = ApiKeyScopes.All.Where(wanted.Contains).ToArray();
        var key = new ApiKey(
            Ids.New(),
            userId,
            publicId,
            trimmed!,
            ApiKeyFormat.Hash(secret),
            ordered,
            now,
            expiresAt,
            null,
            null
        );
        await store.InsertAsync(key, cancellationToken);
        await audit.RecordAsync(
            AuditActions.ApiKeyCreated,
            origin,
            cancellationToken,
            userId: userId,
            username: user.Username,
            detail: $"key={key.Prefix} scopes={string.Join(',', ordered)}"
        );
        return new CreatedApiKey(key, secret);
    }

    public Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken) =>
        store.ListAsync(userId, cancellationToken);

    /// <summary>Revokes one of the caller's keys; another user's key does not exist.</summary>
    public async Task RevokeAsync(string userId, string id, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var key = (await store.ListAsync(userId, cancellationToken)).FirstOrDefault(k => k.Id == id);
        if (key is null || !await store.RevokeAsync(userId, id, clock.GetUtcNow(), cancellationToken))
        {
            throw new NotFoundException("API key", id);
        }
        Interlocked.Increment(ref _generation);
        _cache.TryRemove(key.PublicId, out _);
        await audit.RecordAsync(
            AuditActions.ApiKeyRevoked,
            origin,
            cancellationToken,
            userId: userId,
            detail: "key=" + key.Prefix
        );
    }

    /// <summary>Call after anything that changes a user's standing (disabled, role): their keys are checked
    /// afresh.</summary>
    public void ForgetUser(string userId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (publicId, entry) in _cache)
        {
            if (entry.State?.Key.UserId == userId)
            {
                _cache.TryRemove(publicId, out _);
            }
        }
    }

    /// <summary>Who the key acts for, or null when it is malformed, unknown, revoked, expired or its owner is
    /// disabled.</summary>
    public async Task<ApiKeyPrincipal?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (ApiKeyFormat.PublicIdOf(key) is not { } publicId)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var state = await StateAsync(publicId, now, cancellationToken);
        if (
            state is null
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(ApiKeyFormat.Hash(key)),
                Encoding.ASCII.GetBytes(state.Key.KeyHash)
            )
            || !state.Key.IsActive(now)
            || state.UserDisabledAt is not null
        )
        {
            return null;
        }
        await TouchAsync(state.Key, now, cancellationToken);
        return new ApiKeyPrincipal(
            state.Key.Id,
            state.Key.UserId,
            state.Username,
            state.Key.Scopes,
            IsAdmin: state.UserIsAdmin && state.Key.Scopes.Contains(ApiKeyScopes.Admin)
        );
    }

    private async Task<ApiKeyState?> StateAsync(
        string publicId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (
            cacheFor > TimeSpan.Zero
            && _cache.TryGetValue(publicId, out var cached)
            && now - cached.FetchedAt < cacheFor
        )
        {
            return cached.State;
        }
        var generation = Interlocked.Read(ref _generation);
        var state = await store.FindByPublicIdAsync(publicId, cancellationToken);
        if (cacheFor > TimeSpan.Zero && Interlocked.Read(ref _generation) == generation)
        {
            if (_cache.Count >= MaxCached)
            {
                _cache.Clear();
            }
            _cache[publicId] = (state, now);
        }
        return state;
    }

    private async Task TouchAsync(ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = _touched.TryGetValue(key.Id, out var t) ? t : key.LastUsedAt ?? DateTimeOffset.MinValue;
        if (now - last < TouchEvery)
        {
            return;
        }
        _touched[key.Id] = now;
        if (_touched.Count > MaxCached)
        {
            _touched.Clear();
        }
        // The condition in SQL keeps several nodes (or a restart) from each writing within the same minute.
        await store.TouchAsync(key.Id, now, now - TouchEvery, cancellationToken);
    }
}
