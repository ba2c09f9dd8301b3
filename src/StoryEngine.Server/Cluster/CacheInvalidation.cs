using StoryEngine.Core;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Cluster;
using StoryEngine.Core.Usage;

namespace StoryEngine.Server.Cluster;

/// <summary>
/// Keeps the per-node caches of who may do what in step across nodes: a session revoked, a user signed out everywhere
/// (password changed, disabled, role changed) or a tier changed on one node is forgotten on every node at once,
/// through the bus, instead of after the cache's lifetime (docs/scaling.md).
/// </summary>
public sealed partial class CacheInvalidation(
    IClusterBus bus,
    ActiveSessions sessions,
    TierDirectory tiers,
    ILogger<CacheInvalidation> logger
)
{
    public const string Channel = "storyengine_caches";

    /// <summary>Subscribes; called once, before the bus starts listening.</summary>
    public void Start()
    {
        bus.Subscribe(Channel, OnMessage);
        sessions.Changed += (kind, id) => Send(kind == "user" ? "u:" + id : "s:" + id);
        tiers.Changed += id => Send("t:" + id);
    }

    private void OnMessage(ReadOnlySpan<byte> utf8)
    {
        var message = System.Text.Encoding.UTF8.GetString(utf8);
        if (message.Length < 3 || message[1] != ':')
        {
            return;
        }
        var id = message[2..];
        switch (message[0])
        {
            case 's':
                sessions.ForgetHere(id);
                break;
            case 'u':
                sessions.ForgetUserHere(id);
                break;
            case 't':
                tiers.ForgetHere(id);
                break;
        }
    }

    private void Send(string message) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await bus.PublishAsync(Channel, message, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // the other nodes forget within their cache's lifetime (Auth:SessionCheckSeconds) instead
                LogSendFailed(logger, e);
            }
        });

    [LoggerMessage(
        EventId = LogEvents.Cluster.InvalidationFailed,
        Level = LogLevel.Warning,
        Message = "Could not tell the other nodes to forget a cached session or tier; they forget it when it expires"
    )]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
