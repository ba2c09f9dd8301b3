namespace StoryEngine.Core.Cluster;

/// <summary>Handles one message of the bus as the UTF-8 bytes it arrived as: a relay node reads thousands a second,
/// and no string is made for one unless the handler makes it. The span is only valid during the call.</summary>
public delegate void BusMessageHandler(ReadOnlySpan<byte> message);

/// <summary>
/// Messages between the nodes of one deployment: PostgreSQL LISTEN/NOTIFY, or Redis pub/sub when Redis is configured
/// (docs/adr/0046-nodes-share-postgresql-and-optionally-redis.md). Delivery is at most once and in publish order from
/// one publisher; a node that was cut off hears <see cref="Reconnected"/> and asks again for what it follows.
/// </summary>
public interface IClusterBus
{
    /// <summary>"postgres" or "redis", for health and the admin view.</summary>
    string Kind { get; }

    /// <summary>The largest message, in UTF-8 bytes, this bus carries (PostgreSQL's NOTIFY takes under
    /// 8,000).</summary>
    int MaxMessageBytes { get; }

    /// <summary>Registers a handler; every subscription is made before the bus starts listening. A channel's messages
    /// are handled one at a time, in the order they arrive.</summary>
    void Subscribe(string channel, BusMessageHandler handler);

    /// <summary>Sends a message to every node listening on <paramref name="channel"/>, this one included.</summary>
    Task PublishAsync(string channel, string message, CancellationToken cancellationToken);

    /// <summary>Raised after the bus lost its connection and has it back: messages may have been missed
    /// meanwhile.</summary>
    event Action? Reconnected;
}
