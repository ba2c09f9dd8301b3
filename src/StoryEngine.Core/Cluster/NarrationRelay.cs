using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Cluster;

/// <summary>
/// Carries a narration from the node that runs it to any other node a player re-attaches to or presses stop on
/// (docs/adr/0047-narration-leases-and-the-relay.md). A follower node asks for the tokens after the last it holds
/// (<c>want</c>); the narrating node answers with them in order, then live, in messages that fit the bus, and ends
/// with a pointer (<c>ended</c>) to the stored turn, which the follower reads from the database. Nothing is sent for a
/// narration nobody follows elsewhere. A follower whose narrating node died is settled from the database once that
/// node's lease has expired and the turn was marked interrupted.
/// </summary>
public sealed partial class NarrationRelay(
    IClusterBus bus,
    TurnRegistry registry,
    INarrationLeases leases,
    StoryWriter writer,
    ClusterSettings settings,
    TimeProvider clock,
    ILogger<NarrationRelay> logger
) : IDisposable
{
    public const string Channel = "storyengine_narration";

    /// <summary>The channel on which a node receives the tokens it asked for: the narrating node answers a <c>want</c>
    /// there, so no other node reads them (ADR 62).</summary>
    public static string NodeChannel(string nodeId) =>
        Channel
        + "_"
        + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(nodeId)))[..16];

    private readonly string _replyChannel = NodeChannel(settings.NodeId);

    /// <summary>What a follower is told when the narrating node stopped before the turn ended.</summary>
    public const string NodeLostMessage =
        "The server narrating this turn stopped; the narration so far is kept. Retry it to go on.";

    private readonly ConcurrentDictionary<string, Follower> _followers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private bool _started;

    private sealed class Follower(TurnRun run, long created)
    {
        public TurnRun Run { get; } = run;
        public long Created { get; } = created;
        public Lock Gate { get; } = new();
        public SortedDictionary<int, string> Early { get; } = [];
        public DateTimeOffset? FinishedAt { get; set; }
    }

    /// <summary>Subscribes to the relay's channel; called once, before the bus starts listening.</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }
        _started = true;
        bus.Subscribe(Channel, OnMessage);
        bus.Subscribe(_replyChannel, OnMessage);
        bus.Reconnected += () =>
        {
            // Messages may have been missed while the bus was away: ask again from what each follower holds.
            foreach (var follower in _followers.Values.Where(f => !f.Run.IsFinished))
            {
                _ = SendAsync(Want(follower.Run, follower.Run.Count));
            }
        };
    }

    /// <summary>
    /// The narration of <paramref name="adventureId"/> running on another node, as a run on this one that fills as the
    /// tokens arrive; null when no other node narrates it for <paramref name="ownerId"/>.
    /// </summary>
    public async Task<TurnRun?> FollowAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        Sweep();
        var lease = await leases.FindAsync(adventureId, cancellationToken);
        _followers.TryGetValue(adventureId, out var known);
        if (
            lease is null
            || lease.NodeId == settings.NodeId
            || lease.OwnerId != ownerId
            || lease.FinishedAt < clock.GetUtcNow() - TurnRegistry.Linger
        )
        {
            // Nothing in flight elsewhere: a narration followed here that just ended can still be re-read.
            return known is not null && known.Run.OwnerId == ownerId ? known.Run : null;
        }
        if (known is not null && known.Run.TurnId == lease.TurnId && known.Run.Alternative == lease.Alternative)
        {
            return known.Run;
        }
        var follower = new Follower(
            new TurnRun(adventureId, lease.TurnId, lease.Alternative) { OwnerId = ownerId },
            clock.GetTimestamp()
        );
        var added = _followers.AddOrUpdate(adventureId, follower, (_, existing) =>
            existing.Run.TurnId == lease.TurnId && existing.Run.Alternative == lease.Alternative ? existing : follower
        );
        if (added == follower)
        {
            await SendAsync(Want(follower.Run, 0));
        }
        return added.Run;
    }

    /// <summary>Asks the node narrating <paramref name="adventureId"/> to stop; the follower run then ends with the
    /// stopped narration.</summary>
    public Task RequestStopAsync(string adventureId, CancellationToken cancellationToken) =>
        bus.PublishAsync(
            Channel,
            Serialize(new RelayMessage { Kind = "stop", Adventure = adventureId }),
            cancellationToken
        );

    /// <summary>
    /// Part of the heartbeat: a follower whose narration is no longer leased (it ended, or its node died and the turn
    /// was marked interrupted) is finished from the stored turn, in case its <c>ended</c> message was lost.
    /// </summary>
    public async Task SettleFollowersAsync(CancellationToken cancellationToken)
    {
        Sweep();
        foreach (var follower in _followers.Values.Where(f => !f.Run.IsFinished))
        {
            var run = follower.Run;
            var lease = await leases.FindAsync(run.AdventureId, cancellationToken);
            if (
                lease is not null
                && lease.TurnId == run.TurnId
                && lease.Alternative == run.Alternative
                && (
                    lease.IsLive(clock.GetUtcNow())
                    // ended on a node that is alive: its relay sends the rest; the store is for when it does not
                    || lease.FinishedAt is not null && clock.GetElapsedTime(follower.Created) < settings.LeaseTimeout
                )
            )
            {
                continue;
            }
            await FinishFromStoreAsync(follower, null, null, cancellationToken);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> payload)
    {
        RelayMessage? message;
        try
        {
            message = RelayMessage.Read(payload);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            LogUnreadable(logger, e);
            return;
        }
        if (message?.Adventure is not { } adventureId)
        {
            return;
        }
        switch (message.Kind)
        {
            case "want" when registry.Find(adventureId) is { } run && IsRun(run, message):
                // to the node that asked, or to every node when it is one that names no channel of its own
                _ = Task.Run(() => PumpAsync(run, message.Index, ReplyChannel(message.ReplyTo)));
                break;
            case "stop" when registry.Find(adventureId) is { IsFinished: false } run:
                run.Stop.Cancel();
                break;
            case "tokens" when Followed(adventureId, message) is { } follower:
                Receive(follower, message.Index, message.Tokens ?? []);
                break;
            case "ended" when Followed(adventureId, message) is { } follower:
                _ = Task.Run(() => FinishFromStoreAsync(follower, message.Code, message.Message, _stopping.Token));
                break;
        }
    }

    private static string ReplyChannel(string? replyTo) =>
        replyTo is { Length: <= 63 } && replyTo.StartsWith(Channel + "_", StringComparison.Ordinal) ? replyTo : Channel;

    private static bool IsRun(TurnRun run, RelayMessage message) =>
        run.TurnId == message.Turn && run.Alternative == message.Alternative;

    private Follower? Followed(string adventureId, RelayMessage message) =>
        _followers.TryGetValue(adventureId, out var follower) && IsRun(follower.Run, message) ? follower : null;

    // Tokens land in order: an early one waits for those before it; one already held is ignored (two nodes asked).
    private static void Receive(Follower follower, int first, string[] tokens)
    {
        lock (follower.Gate)
        {
            var next = follower.Run.Count + 1;
            if (first == next && follower.Early.Count == 0)
            {
                // the usual case, the next tokens in order: no reordering to do
                foreach (var text in tokens)
                {
                    follower.Run.Add(text);
                }
                return;
            }
            for (var i = 0; i < tokens.Length; i++)
            {
                if (first + i >= next)
                {
                    follower.Early[first + i] = tokens[i];
                }
            }
            while (follower.Early.Remove(next, out var text))
            {
                follower.Run.Add(text);
                next++;
            }
        }
    }

    // On the narrating node: everything after `after`, then live, then the pointer to the stored outcome.
    private async Task PumpAsync(TurnRun run, int after, string channel)
    {
        try
        {
            await foreach (var (tokens, outcome) in run.ReadBatchesAsync(after, _stopping.Token))
            {
                // no token of our own to wait on (a wait each): the bus cancels what it has not sent when it stops,
                // and the run's reader above ends with _stopping
                foreach (var message in Pack(run, tokens))
                {
                    await bus.PublishAsync(channel, message, CancellationToken.None);
                }
                if (outcome is not null)
                {
                    await bus.PublishAsync(
                        channel,
                        Serialize(
                            new RelayMessage
                            {
                                Kind = "ended",
                                Adventure = run.AdventureId,
                                Turn = run.TurnId,
                                Alternative = run.Alternative,
                                Code = outcome.FailureCode,
                                Message = Truncate(outcome.FailureMessage),
                            }
                        ),
                        CancellationToken.None
                    );
                }
            }
        }
        catch (OperationCanceledException) { } // the node stops (this relay, or the bus with what it had not sent)
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRelayFailed(logger, e, run.AdventureId, run.TurnId);
        }
    }

    // As many tokens per message as fit the bus (each token is at most TurnRun.MaxTokenCharacters long).
    private IEnumerable<string> Pack(TurnRun run, IReadOnlyList<TokenItem> tokens)
    {
        var budget = Math.Min(bus.MaxMessageBytes, 64 * 1024) - 512;
        var start = 0;
        while (start < tokens.Count)
        {
            var end = start;
            var size = 0;
            while (end < tokens.Count)
            {
                // JSON escaping can make a character up to six bytes; plain text stays near its UTF-8 size
                var cost = Encoding.UTF8.GetByteCount(tokens[end].Text) + 8;
                if (end > start && size + cost > budget / 2)
                {
                    break;
                }
                size += cost;
                end++;
            }
            var message = Serialize(
                new RelayMessage
                {
                    Kind = "tokens",
                    Adventure = run.AdventureId,
                    Turn = run.TurnId,
                    Alternative = run.Alternative,
                    Index = tokens[start].Index,
                    Tokens = Texts(tokens, start, end),
                }
            );
            if (Encoding.UTF8.GetByteCount(message) > budget && end - start > 1)
            {
                // escaping made it too long after all: send the first half now, the rest on the next pass
                end = start + ((end - start) / 2);
                message = Serialize(
                    new RelayMessage
                    {
                        Kind = "tokens",
                        Adventure = run.AdventureId,
                        Turn = run.TurnId,
                        Alternative = run.Alternative,
                        Index = tokens[start].Index,
                        Tokens = Texts(tokens, start, end),
                    }
                );
            }
            yield return message;
            start = end;
        }
    }

    private static string[] Texts(IReadOnlyList<TokenItem> tokens, int start, int end)
    {
        var texts = new string[end - start];
        for (var i = start; i < end; i++)
        {
            texts[i - start] = tokens[i].Text;
        }
        return texts;
    }

    private async Task FinishFromStoreAsync(
        Follower follower,
        string? code,
        string? message,
        CancellationToken cancellationToken
    )
    {
        var run = follower.Run;
        try
        {
            var state = await writer.LoadStateAsync(run.OwnerId!, run.AdventureId, run.TurnId, cancellationToken);
            if (state.Target is not { } turn || run.Alternative >= turn.Alternatives.Count)
            {
                return;
            }
            var narration = turn.Alternatives[run.Alternative];
            if (narration.Status == NarrationRecord.Streaming)
            {
                // not settled yet: the expired lease's sweep marks it interrupted, the next heartbeat looks again
                return;
            }
            // The tokens the follower missed (its node died before sending them) are in the stored text.
            lock (follower.Gate)
            {
                var held = string.Concat(run.Snapshot());
                if (narration.Text.Length > held.Length && narration.Text.StartsWith(held, StringComparison.Ordinal))
                {
                    run.Add(narration.Text[held.Length..]);
                }
            }
            var (failureCode, failureMessage) = narration.Status switch
            {
                NarrationRecord.Failed => (
                    code ?? narration.ErrorCode ?? "backend_unavailable",
                    message ?? narration.Error
                ),
                NarrationRecord.Interrupted => (code ?? "interrupted", message ?? NodeLostMessage),
                _ => (null, null),
            };
            follower.FinishedAt = clock.GetUtcNow();
            run.Finish(
                new OutcomeItem(turn, failureCode, failureCode is null ? null : failureMessage ?? NodeLostMessage)
            );
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFollowerSettleFailed(logger, e, run.AdventureId, run.TurnId);
        }
    }

    private void Sweep()
    {
        var cutoff = clock.GetUtcNow() - TurnRegistry.Linger;
        foreach (var (id, follower) in _followers)
        {
            if (follower.FinishedAt < cutoff)
            {
                _followers.TryRemove(new KeyValuePair<string, Follower>(id, follower));
            }
        }
    }

    private RelayMessage Want(TurnRun run, int after) =>
        new()
        {
            Kind = "want",
            ReplyTo = _replyChannel,
            Adventure = run.AdventureId,
            Turn = run.TurnId,
            Alternative = run.Alternative,
            Index = after,
        };

    private async Task SendAsync(RelayMessage message)
    {
        try
        {
            await bus.PublishAsync(Channel, Serialize(message), _stopping.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRelayFailed(logger, e, message.Adventure ?? "", message.Turn ?? "");
        }
    }

    private static string? Truncate(string? text) => text is { Length: > 1000 } ? text[..1000] : text;

    private static string Serialize(RelayMessage message) =>
        JsonSerializer.Serialize(message, RelayJson.Default.RelayMessage);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(
        EventId = LogEvents.Cluster.RelayFailed,
        Level = LogLevel.Warning,
        Message = "Could not relay the narration of adventure {AdventureId}, turn {TurnId}, to the other nodes"
    )]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string adventureId, string turnId);

    [LoggerMessage(
        EventId = LogEvents.Cluster.MessageUnreadable,
        Level = LogLevel.Warning,
        Message = "A narration relay message could not be read"
    )]
    private static partial void LogUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = LogEvents.Cluster.FollowerSettleFailed,
        Level = LogLevel.Warning,
        Message = "Could not read the outcome of adventure {AdventureId}, turn {TurnId}, narrated on another node"
    )]
    private static partial void LogFollowerSettleFailed(
        ILogger logger,
        Exception exception,
        string adventureId,
        string turnId
    );
}

/// <summary>One message of the relay; short names keep the messages small.</summary>
public sealed class RelayMessage
{
    [JsonPropertyName("k")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("a")]
    public string? Adventure { get; set; }

    [JsonPropertyName("t")]
    public string? Turn { get; set; }

    [JsonPropertyName("n")]
    public int Alternative { get; set; }

    [JsonPropertyName("i")]
    public int Index { get; set; }

    [JsonPropertyName("x")]
    public string[]? Tokens { get; set; }

    [JsonPropertyName("c")]
    public string? Code { get; set; }

    [JsonPropertyName("m")]
    public string? Message { get; set; }

    /// <summary>In a <c>want</c>: the channel to answer on (nodes before ADR 62 send none and answer on the shared
    /// channel, which every node still reads).</summary>
    [JsonPropertyName("r")]
    public string? ReplyTo { get; set; }

    /// <summary>
    /// Reads a message as <see cref="RelayJson"/> writes it, straight from the bus's UTF-8 bytes: a follower node reads
    /// every token of every narration it follows, and the general deserializer's transcoding and read stack cost more
    /// than the message. Fields it does not know (a newer node's) are skipped; null when it is not an object.
    /// </summary>
    public static RelayMessage? Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        var message = new RelayMessage();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            switch (name)
            {
                case (byte)'k':
                    message.Kind =
                        reader.ValueTextEquals("tokens"u8) ? "tokens"
                        : reader.ValueTextEquals("want"u8) ? "want"
                        : reader.ValueTextEquals("ended"u8) ? "ended"
                        : reader.GetString() ?? "";
                    break;
                case (byte)'a':
                    message.Adventure = reader.GetString();
                    break;
                case (byte)'t':
                    message.Turn = reader.GetString();
                    break;
                case (byte)'n':
                    message.Alternative = reader.GetInt32();
                    break;
                case (byte)'i':
                    message.Index = reader.GetInt32();
                    break;
                case (byte)'x' when reader.TokenType == JsonTokenType.StartArray:
                    var tokens = new List<string>(4);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        tokens.Add(reader.GetString() ?? "");
                    }
                    message.Tokens = [.. tokens];
                    break;
                case (byte)'c':
                    message.Code = reader.GetString();
                    break;
                case (byte)'m':
                    message.Message = reader.GetString();
                    break;
                case (byte)'r':
                    message.ReplyTo = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return message;
    }

    // The one-letter names are all this node writes; any other name reads as none of them.
    private static byte Name(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan is [var plain] ? plain : (byte)0;
        }
        return reader.GetString() is [var escaped and < '\u0080'] ? (byte)escaped : (byte)0;
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RelayMessage))]
internal sealed partial class RelayJson : JsonSerializerContext;
