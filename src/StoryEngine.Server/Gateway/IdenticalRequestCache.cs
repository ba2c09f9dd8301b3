using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using StoryEngine.Core;

namespace StoryEngine.Server.Gateway;

/// <summary>
/// The model gateway's identical-request cache (issue 21), in front of the utility chain: a whole-answer call that is
/// deterministic (temperature 0, or a seed) and the same as one already answered (the same chain, messages and
/// settings) is answered from <see cref="HybridCache"/> (memory, and Redis as the second level when
/// <c>Redis:Configuration</c> is set, so every node shares it), and identical calls in flight at once are made once
/// (HybridCache's stampede protection). Sampled calls, and every streamed call (narration), always go to the model.
/// </summary>
public sealed partial class IdenticalRequestCache(
    IChatClient inner,
    string chainName,
    HybridCache cache,
    GatewayStatistics statistics,
    TimeSpan lifetime,
    ILogger logger
) : DelegatingChatClient(inner)
{
    private readonly HybridCacheEntryOptions _entry = new() { Expiration = lifetime, LocalCacheExpiration = lifetime };

    /// <summary>Deterministic: the model is told to take no chances (temperature 0) or to repeat itself (a
    /// seed).</summary>
    public static bool IsDeterministic(ChatOptions? options) => options is { Temperature: 0 } or { Seed: not null };

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        if (!IsDeterministic(options))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        string key;
        try
        {
            key =
                "model:" + AIJsonUtilities.HashDataToString([chainName, list, options], AIJsonUtilities.DefaultOptions);
        }
        catch (Exception e) when (e is NotSupportedException or System.Text.Json.JsonException)
        {
            LogNotCacheable(logger, e);
            return await base.GetResponseAsync(list, options, cancellationToken);
        }
        var answered = false;
        var cached = await cache.GetOrCreateAsync(
            key,
            async token =>
            {
                answered = true;
                var response = await base.GetResponseAsync(list, options, token);
                return CachedAnswer.From(response);
            },
            _entry,
            cancellationToken: cancellationToken
        );
        statistics.Record(cached.Backend ?? chainName, hit: !answered);
        return answered ? cached.ToResponse(cachedHit: false) : cached.ToResponse(cachedHit: true);
    }

    [LoggerMessage(
        EventId = LogEvents.Gateway.CacheFailed,
        Level = LogLevel.Debug,
        Message = "A deterministic model call could not be keyed for the cache; it goes to the model"
    )]
    private static partial void LogNotCacheable(ILogger logger, Exception exception);
}

/// <summary>What the cache keeps of an answer: its text and where it came from. A hit reports no token usage: it
/// spent none.</summary>
public sealed record CachedAnswer(
    string Text,
    string? ModelId,
    string? Backend,
    long? InputTokens,
    long? OutputTokens,
    string? FinishReason
)
{
    public static CachedAnswer From(ChatResponse response) =>
        new(
            response.Text,
            response.ModelId,
            response.AdditionalProperties?.TryGetValue("backend", out var backend) == true ? backend?.ToString() : null,
            response.Usage?.InputTokenCount,
            response.Usage?.OutputTokenCount,
            response.FinishReason?.Value
        );

    public ChatResponse ToResponse(bool cachedHit)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, Text))
        {
            ModelId = ModelId,
            FinishReason = FinishReason is null ? null : new ChatFinishReason(FinishReason),
            Usage = cachedHit
                ? null
                : new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens },
            AdditionalProperties = new() { ["cached"] = cachedHit },
        };
        if (Backend is not null)
        {
            response.AdditionalProperties["backend"] = Backend;
        }
        return response;
    }
}

/// <summary>Hits and misses of the identical-request cache, per backend that gave the answer, since this node
/// started.</summary>
public sealed class GatewayStatistics
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counts> _chains = new(
        StringComparer.OrdinalIgnoreCase
    );

    public void Record(string backend, bool hit)
    {
        var counts = _chains.GetOrAdd(backend, _ => new Counts());
        if (hit)
        {
            Interlocked.Increment(ref counts.Hits);
        }
        else
        {
            Interlocked.Increment(ref counts.Misses);
        }
        Core.Telemetry.StoryMetrics.GatewayCacheLookups.Add(
            1,
            new KeyValuePair<string, object?>("result", hit ? "hit" : "miss")
        );
    }

    public (long Hits, long Misses) For(string backend) =>
        _chains.TryGetValue(backend, out var counts)
            ? (Interlocked.Read(ref counts.Hits), Interlocked.Read(ref counts.Misses))
            : (0, 0);

    private sealed class Counts
    {
        public long Hits;
        public long Misses;
    }
}
