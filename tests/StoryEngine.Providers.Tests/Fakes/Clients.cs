using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Tests.Fakes;

/// <summary>Small conveniences for driving an IChatClient in tests.</summary>
public static class Clients
{
    /// <summary>One pooled handler for every adapter the tests make, as BackendFactory shares one.</summary>
    public static HttpMessageHandler Handler { get; } = new SocketsHttpHandler();

    public static IChatClient For(BackendOptions options) => BackendFactory.CreateClient(options, Handler);

    public static List<ChatMessage> Story() =>
        [
            new(ChatRole.System, "You are the narrator."),
            new(ChatRole.User, "I open the door."),
            new(ChatRole.Assistant, "It creaks."),
            new(ChatRole.User, "I step inside."),
        ];

    /// <summary>Collects updates until the stream ends or throws; returns both so tests can check partial
    /// text.</summary>
    public static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> DrainAsync(
        IAsyncEnumerable<ChatResponseUpdate> stream,
        CancellationToken cancellationToken = default,
        Action<List<ChatResponseUpdate>>? afterEach = null
    )
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream.WithCancellation(cancellationToken))
            {
                updates.Add(update);
                afterEach?.Invoke(updates);
            }
            return (updates, null);
        }
        catch (Exception ex)
        {
            return (updates, ex);
        }
    }

    public static string Text(IEnumerable<ChatResponseUpdate> updates) => string.Concat(updates.Select(u => u.Text));

    public static UsageDetails? Usage(IEnumerable<ChatResponseUpdate> updates) =>
        updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;
}
