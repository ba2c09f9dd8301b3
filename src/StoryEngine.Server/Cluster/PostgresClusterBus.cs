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
/// is waiting for a channel together, as many messages as fit one payload (each after a record separator,
/// U+001E, which JSON never leaves raw), in publish order; a message alone goes as it is.</para>
/// </summary>
public sealed partial class PostgresClusterBus(
    string connectionString,
    TimeProvider clock,
    ILogger<PostgresClusterBus> logger
) : IClusterBus, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, List<Action<string>>> _handlers = new(StringComparer.Ordinal);
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

    /// <summary>The most messages one NOTIFY carries.</summary>
    private const int MaxBatch = 256;

    private sealed record Outgoing(string Channel, string Message, int Bytes, TaskCompletionSource Sent);

    public string Kind => "postgres";

    public int MaxMessageBytes => 7999;

    public event Action? Reconnected;

    /// <summary>NOTIFY statements sent so far (each carries one message or several).</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    public void Subscribe(string channel, Action<string> handler)
    {
        if (_started)
        {
            throw new InvalidOperationException("Subscribe to the bus before it starts listening.");
        }
        _handlers.GetOrAdd(channel, _ => []).Add(handler);
    }

    public async Task PublishAsync(string channel, string message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetByteCount(message);
        if (bytes > MaxMessageBytes)
        {
            throw new ArgumentException($"A bus message may be at most {MaxMessageBytes} bytes.", nameof(message));
        }
        if (message.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException("A bus message may not contain U+001E.", nameof(message));
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
            throw new ObjectDisposedException(nameof(PostgresClusterBus));
        }
        await outgoing.Sent.Task.WaitAsync(cancellationToken);
    }

    // One NOTIFY at a time, in publish order, each carrying everything waiting for its channel that fits.
    private async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        var batch = new List<Outgoing>();
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                if (!reader.TryRead(out var first))
                {
                    continue;
                }
                batch.Clear();
                batch.Add(first);
                var size = 1 + first.Bytes;
                while (
                    batch.Count < MaxBatch
                    && reader.TryPeek(out var next)
                    && next.Channel == first.Channel
                    && size + 1 + next.Bytes <= MaxMessageBytes
                    && reader.TryRead(out next)
                )
                {
                    batch.Add(next);
                    size += 1 + next.Bytes;
                }
                var payload =
                    batch.Count == 1 ? first.Message : Separator + string.Join(Separator, batch.Select(b => b.Message));
                try
                {
                    await using var command = _senders.CreateCommand("SELECT pg_notify(@channel, @message)");
                    command.Parameters.AddWithValue("channel", first.Channel);
                    command.Parameters.AddWithValue("message", payload);
                    await command.ExecuteNonQueryAsync(_stopping.Token);
                    Interlocked.Increment(ref _notifications);
                    batch.ForEach(b => b.Sent.TrySetResult());
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    batch.ForEach(b => b.Sent.TrySetException(e));
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            batch.ForEach(b => b.Sent.TrySetCanceled());
            while (reader.TryRead(out var left))
            {
                left.Sent.TrySetCanceled();
            }
        }
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

    private void Dispatch(string channel, string payload)
    {
        if (!_handlers.TryGetValue(channel, out var handlers))
        {
            return;
        }
        if (payload.Length > 0 && payload[0] == Separator)
        {
            foreach (var message in payload.Split(Separator, StringSplitOptions.RemoveEmptyEntries))
            {
                Deliver(handlers, channel, message);
            }
            return;
        }
        Deliver(handlers, channel, payload);
    }

    private void Deliver(List<Action<string>> handlers, string channel, string payload)
    {
        foreach (var handler in handlers)
        {
            try
            {
                handler(payload);
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
