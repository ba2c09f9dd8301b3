using System.Collections.Concurrent;
using System.Text;
using Npgsql;
using StoryEngine.Core;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Server.Cluster;

/// <summary>
/// The bus on PostgreSQL's LISTEN/NOTIFY: one connection per node listens on every subscribed channel; a message is
/// sent with <c>pg_notify</c> on a pooled connection. NOTIFY payloads must stay under 8,000 bytes, so senders keep
/// their messages small (the relay sends pointers and short token batches). A dropped listening connection is opened
/// again, and <see cref="Reconnected"/> tells the subscribers they may have missed messages.
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
    private Task _loop = Task.CompletedTask;
    private bool _started;

    public string Kind => "postgres";

    public int MaxMessageBytes => 7999;

    public event Action? Reconnected;

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
        if (Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            throw new ArgumentException($"A bus message may be at most {MaxMessageBytes} bytes.", nameof(message));
        }
        await using var command = _senders.CreateCommand("SELECT pg_notify(@channel, @message)");
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("message", message);
        await command.ExecuteNonQueryAsync(cancellationToken);
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
        await _loop;
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
