using StackExchange.Redis;
using StoryEngine.Core;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Server.Cluster;

/// <summary>
/// The bus on Redis pub/sub, when <c>Redis:Configuration</c> is set. Channels carry <c>Redis:Prefix</c>, so several
/// deployments can share one Redis. Each channel's messages are handled one at a time, in order
/// (<see cref="ChannelMessageQueue"/>); the multiplexer subscribes again by itself after a reconnect.
/// </summary>
public sealed partial class RedisClusterBus(RedisConnection redis, ILogger<RedisClusterBus> logger) : IClusterBus
{
    private readonly List<(string Channel, BusMessageHandler Handler)> _pending = [];
    private bool _started;

    public string Kind => "redis";

    // Redis takes far more; the relay packs at most 64 KiB per message anyway.
    public int MaxMessageBytes => 512 * 1024;

    public event Action? Reconnected;

    public void Subscribe(string channel, BusMessageHandler handler)
    {
        if (_started)
        {
            throw new InvalidOperationException("Subscribe to the bus before it starts listening.");
        }
        _pending.Add((channel, handler));
    }

    public async Task PublishAsync(string channel, string message, CancellationToken cancellationToken)
    {
        var multiplexer = await redis.GetAsync();
        await multiplexer.GetSubscriber().PublishAsync(Channel(channel), message);
    }

    public async Task StartAsync()
    {
        _started = true;
        var multiplexer = await redis.GetAsync();
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                LogReconnected(logger);
                Reconnected?.Invoke();
            }
        };
        var subscriber = multiplexer.GetSubscriber();
        foreach (var (channel, handler) in _pending)
        {
            var queue = await subscriber.SubscribeAsync(Channel(channel));
            queue.OnMessage(message =>
            {
                try
                {
                    // the bytes as they came, no string made for them
                    handler(((ReadOnlyMemory<byte>)message.Message).Span);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogHandlerFailed(logger, e, channel);
                }
            });
        }
    }

    private RedisChannel Channel(string name) => RedisChannel.Literal(redis.Prefix + name);

    [LoggerMessage(
        EventId = LogEvents.Cluster.RedisReconnected,
        Level = LogLevel.Information,
        Message = "Redis is back; listening for other nodes' messages again"
    )]
    private static partial void LogReconnected(ILogger logger);

    [LoggerMessage(
        EventId = LogEvents.Cluster.RedisHandlerFailed,
        Level = LogLevel.Warning,
        Message = "A handler of bus channel {Channel} failed"
    )]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string channel);
}

/// <summary>The one Redis connection of a node (StackExchange.Redis multiplexes everything over it), opened on first
/// use.</summary>
public sealed class RedisConnection(string configuration, string prefix) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() =>
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // Redis down at start: keep trying rather than fail the node
        options.ClientName = "storyengine";
        return ConnectionMultiplexer.ConnectAsync(options);
    });

    /// <summary>Put before every key and channel (<c>Redis:Prefix</c>).</summary>
    public string Prefix { get; } = prefix;

    public Task<ConnectionMultiplexer> GetAsync() => _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }
}
