using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using StoryEngine.Core;
using StoryEngine.Storage.Cluster;

namespace StoryEngine.Server.Cluster;

/// <summary>Counts hits per fixed window where every node sees them: Redis (INCR with an expiry) when configured,
/// else the database.</summary>
public interface IRateCounter
{
    /// <summary>"redis" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Counts one hit and returns the hits in the window starting at <paramref name="windowStart"/>.</summary>
    Task<long> HitAsync(string key, DateTimeOffset windowStart, TimeSpan window, CancellationToken cancellationToken);
}

public sealed class RedisRateCounter(RedisConnection redis) : IRateCounter
{
    public string Kind => "redis";

    public async Task<long> HitAsync(
        string key,
        DateTimeOffset windowStart,
        TimeSpan window,
        CancellationToken cancellationToken
    )
    {
        var database = (await redis.GetAsync()).GetDatabase();
        RedisKey name = $"{redis.Prefix}rate:{key}:{windowStart.ToUnixTimeSeconds()}";
        var hits = await database.StringIncrementAsync(name);
        if (hits == 1)
        {
            // the window's counter goes away by itself once the window is over
            await database.KeyExpireAsync(name, window + TimeSpan.FromSeconds(5));
        }
        return hits;
    }
}

public sealed class DatabaseRateCounter(RateWindowStore store) : IRateCounter
{
    public string Kind => "postgres";

    public Task<long> HitAsync(
        string key,
        DateTimeOffset windowStart,
        TimeSpan window,
        CancellationToken cancellationToken
    ) => store.HitAsync(key, windowStart, cancellationToken);
}

/// <summary>
/// A fixed-window limiter whose count lives in <see cref="IRateCounter"/>, so a limit of 5 a minute is 5 a minute
/// however many nodes share the load. The framework's middleware asks <see cref="AttemptAcquireCore"/> first; that
/// answers "no" without counting, so every request is counted once, in <see cref="AcquireAsyncCore"/>. When the
/// counter cannot be reached the request is let through (and logged): a limit is protection, not a gate that closes
/// the service when Redis hiccups.
/// </summary>
public sealed partial class SharedWindowLimiter(
    IRateCounter counter,
    string key,
    int limit,
    TimeSpan window,
    TimeProvider clock,
    ILogger logger
) : RateLimiter
{
    private readonly string _hashedKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    private long _lastUsed = clock.GetTimestamp();

    public override TimeSpan? IdleDuration => clock.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(
        int permitCount,
        CancellationToken cancellationToken
    )
    {
        Interlocked.Exchange(ref _lastUsed, clock.GetTimestamp());
        if (permitCount == 0)
        {
            return Lease.Granted;
        }
        var now = clock.GetUtcNow();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(
            now.ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds * (long)window.TotalMilliseconds
        );
        long hits;
        try
        {
            hits = await counter.HitAsync(_hashedKey, start, window, cancellationToken);
        }
        catch (Exception e)
            when (e is RedisException or System.Data.Common.DbException or TimeoutException
                && !cancellationToken.IsCancellationRequested
            )
        {
            LogCounterFailed(logger, e, counter.Kind);
            return Lease.Granted;
        }
        return hits <= limit ? Lease.Granted : new Lease(false, start + window - now);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease NotYet = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Cluster.RateCounterFailed,
        Level = LogLevel.Warning,
        Message = "The shared rate-limit counter ({Kind}) could not be reached; the request was let through"
    )]
    private static partial void LogCounterFailed(ILogger logger, Exception exception, string kind);
}
