using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Npgsql;
using StoryEngine.Core;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Server.Cluster;

/// <summary>
/// The bus on PostgreSQL's LISTEN/NOTIFY: one connection per node listens on every subscribed channel; a message is
/// sent with <c>pg_notify</c> on a pooled connection. NOTIFY payloads must stay under 8,000 bytes, so senders keep
/// their messages small (the relay sends pointers and short token batches). A dropped listening connection is opened
/// again, and <see cref="Reconnected"/> tells the subscribers they may have missed messages.
/// <para>Every NOTIFY is a transaction, and PostgreSQL commits them one at a time through one queue: a node relaying
/// a thousand narrations would wait in line for thousands of them a second. So one sender per node sends what
/// is waiting together: per channel as many messages as fit one payload (each after a record separator,
/// U+001E, which JSON never leaves raw), in publish order, and the payloads of all channels in one transaction,
/// one round trip; a message alone goes as it is. The listener reads each payload as UTF-8 once and hands the
/// subscribers slices of it (ADR 62).</para>
/// </summary>
public sealed partial class PostgresClusterBus(
    string connectionString,
    TimeProvider clock,
    ILogger<PostgresClusterBus> logger
) : IClusterBus, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, List<BusMessageHandler>> _handlers = new(StringComparer.Ordinal);
    private readonly NpgsqlDataSource _senders = NpgsqlDataSource.Create(connectionString);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<Outgoing> _outbox = System.Threading.Channels.Channel.CreateUnbounded<Outgoing>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private Task _loop = Task.CompletedTask;
    private Task _sender = Task.CompletedTask;
    private int _sending;
    private long _notifications;
    private bool _started;

    /// <summary>Starts a payload that carries several messages, and separates them.</summary>
    public const char Separator = '\u001e';

    // The separator in UTF-8: one byte, which no other character's encoding contains.
    private const byte SeparatorByte = 0x1e;

    /// <summary>The most messages one round trip carries (in one NOTIFY per channel).</summary>
    private const int MaxBatch = 512;

    private sealed record Outgoing(string Channel, string Message, int Bytes, TaskCompletionSource Sent);

    public string Kind => "postgres";

    public int MaxMessageBytes => 7999;

    public event Action? Reconnected;

    /// <summary>NOTIFY statements sent so far (each carries one message or several).</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    public void Subscribe(string channel, BusMessageHandler handler)
    {
        if (_started)
        {
            throw new InvalidOperationException("Subscribe to the bus before it starts listening.");
        }
        _handlers.GetOrAdd(channel, _ => []).Add(handler);
    }

    public Task PublishAsync(string channel, string message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetByteCount(message);
        if (bytes > MaxMessageBytes)
        {
            return Task.FromException(
                new ArgumentException($"A bus message may be at most {MaxMessageBytes} bytes.", nameof(message))
            );
        }
        if (message.Contains(Separator, StringComparison.Ordinal))
        {
            return Task.FromException(new ArgumentException("A bus message may not contain U+001E.", nameof(message)));
        }
        if (Interlocked.Exchange(ref _sending, 1) == 0)
        {
            _sender = Task.Run(SendLoopAsync, CancellationToken.None);
        }
        var outgoing = new Outgoing(
            channel,
            message,
            bytes,
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        );
        if (!_outbox.Writer.TryWrite(outgoing))
        {
            return Task.FromException(new ObjectDisposedException(nameof(PostgresClusterBus)));
        }
        // What is still waiting when the bus stops is cancelled; a caller's own token costs a wait of its own, so a
        // caller that sends thousands a second passes none.
        return cancellationToken.CanBeCanceled ? outgoing.Sent.Task.WaitAsync(cancellationToken) : outgoing.Sent.Task;
    }

    // One round trip at a time: everything waiting, at most one payload per channel (NOTIFYs with equal channel and
    // payload in one transaction would be delivered once), all the payloads in one transaction; in publish order
    // within each channel.
    private async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        var taken = new List<Outgoing>();
        var payloads = new List<Payload>();
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                taken.Clear();
                payloads.Clear();
                while (taken.Count < MaxBatch && reader.TryPeek(out var next))
                {
                    var open = payloads.Count - 1;
                    while (open >= 0 && payloads[open].Channel != next.Channel)
                    {
                        open--;
                    }
                    if (open < 0)
                    {
                        payloads.Add(new Payload(next.Channel, taken.Count, 1 + next.Bytes));
                    }
                    else if (payloads[open].Bytes + 1 + next.Bytes <= MaxMessageBytes)
                    {
                        payloads[open].Bytes += 1 + next.Bytes;
                    }
                    else
                    {
                        break; // that channel's payload is full: the rest goes in the next round trip
                    }
                    reader.TryRead(out _);
                    taken.Add(next);
                }
                if (taken.Count == 0)
                {
                    continue;
                }
                try
                {
                    await using var batch = _senders.CreateBatch();
                    foreach (var payload in payloads)
                    {
                        var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
                        command.Parameters.Add(new NpgsqlParameter { Value = payload.Channel });
                        command.Parameters.Add(new NpgsqlParameter { Value = Join(payload, taken) });
                        batch.BatchCommands.Add(command);
                    }
                    await batch.ExecuteNonQueryAsync(_stopping.Token);
                    Interlocked.Add(ref _notifications, payloads.Count);
                    taken.ForEach(b => b.Sent.TrySetResult());
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    taken.ForEach(b => b.Sent.TrySetException(e));
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            taken.ForEach(b => b.Sent.TrySetCanceled());
            while (reader.TryRead(out var left))
            {
                left.Sent.TrySetCanceled();
            }
        }
    }

    private sealed class Payload(string channel, int first, int bytes)
    {
        public string Channel { get; } = channel;
        public int First { get; } = first;
        public int Bytes { get; set; } = bytes;
    }

    // A lone message as it is; several as one string, each after a separator, made in one allocation.
    private static string Join(Payload payload, List<Outgoing> taken)
    {
        var count = 0;
        var length = 0;
        for (var i = payload.First; i < taken.Count; i++)
        {
            if (taken[i].Channel == payload.Channel)
            {
                count++;
                length += 1 + taken[i].Message.Length;
            }
        }
        if (count == 1)
        {
            return taken[payload.First].Message;
        }
        return string.Create(length, (payload, taken), static (span, state) =>
        {
            var at = 0;
            for (var i = state.payload.First; i < state.taken.Count; i++)
            {
                if (state.taken[i].Channel == state.payload.Channel)
                {
                    span[at++] = Separator;
                    state.taken[i].Message.AsSpan().CopyTo(span[at..]);
                    at += state.taken[i].Message.Length;
                }
            }
        });
    }

    /// <summary>Starts listening; returns once the channels are listened to, or after <paramref name="wait"/> when the
    /// database is away (the loop keeps trying).</summary>
    public async Task StartAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        _started = true;
        _loop = Task.Run(() => ListenAsync(_stopping.Token), CancellationToken.None);
        await Task.WhenAny(_listening.Task, Task.Delay(wait, clock, cancellationToken));
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString)
                {
                    KeepAlive = 10, // notice a dead server instead of waiting on it forever
                    Pooling = false,
                };
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                foreach (var channel in _handlers.Keys)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (attempt > 0)
                {
                    LogReconnected(logger);
                    Reconnected?.Invoke();
                }
                _listening.TrySetResult();
                attempt = 0;
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException)
            {
                if (attempt++ == 0)
                {
                    LogDisconnected(logger, e);
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // On the listening connection's loop, one payload at a time: read as UTF-8 once, each message a slice of it.
    private void Dispatch(string channel, string payload)
    {
        if (!_handlers.TryGetValue(channel, out var handlers))
        {
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(payload.Length));
        try
        {
            var bytes = buffer.AsSpan(0, Encoding.UTF8.GetBytes(payload, buffer));
            if (bytes.Length == 0 || bytes[0] != SeparatorByte)
            {
                Deliver(handlers, channel, bytes);
                return;
            }
            foreach (var range in bytes[1..].Split(SeparatorByte))
            {
                var message = bytes[1..][range];
                if (message.Length > 0)
                {
                    Deliver(handlers, channel, message);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Deliver(List<BusMessageHandler> handlers, string channel, ReadOnlySpan<byte> message)
    {
        foreach (var handler in handlers)
        {
            try
            {
                handler(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHandlerFailed(logger, e, channel);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _outbox.Writer.TryComplete();
        await _loop;
        await _sender;
        await _senders.DisposeAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(
        EventId = LogEvents.Cluster.BusDisconnected,
        Level = LogLevel.Warning,
        Message = "Lost the connection that listens for other nodes' messages; opening it again"
    )]
    private static partial void LogDisconnected(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = LogEvents.Cluster.BusReconnected,
        Level = LogLevel.Information,
        Message = "Listening for other nodes' messages again"
    )]
    private static partial void LogReconnected(ILogger logger);

    [LoggerMessage(
        EventId = LogEvents.Cluster.BusHandlerFailed,
        Level = LogLevel.Warning,
        Message = "A handler of bus channel {Channel} failed"
    )]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string channel);
}
