using Microsoft.Extensions.AI;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;

namespace StoryEngine.Bench.Backends;

/// <summary>
/// A model that takes no time: it streams a fixed ~60-token narration at once and reports usage, so what a turn
/// costs with it is the engine's own overhead. It can hand every prompt it receives to <see cref="OnPrompt"/>.
/// </summary>
internal sealed class InstantNarrator(NarratorSettings settings) : INarrator, IChatClient
{
    /// <summary>The model's settings the way ConfiguredNarrator derives them: 8,192-token window, a quarter (≤ 1,024)
    /// for the reply.</summary>
    public static NarratorSettings DefaultSettings { get; } = new(8_192, 1_024, "bench-instant");

    public IChatClient Client => this;

    public NarratorSettings Settings => settings;

    /// <summary>Called with the exact messages of each request, before any token is produced.</summary>
    public Action<IReadOnlyList<ChatMessage>>? OnPrompt { get; set; }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        OnPrompt?.Invoke(prompt);
        // Synchronous underneath: no delay, no thread hop; the engine's await loop sees completed steps.
        return Updates(prompt).ToAsyncEnumerable();
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }
        return updates.ToChatResponse();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    private IEnumerable<ChatResponseUpdate> Updates(IReadOnlyList<ChatMessage> prompt)
    {
        var seed = StableHash(prompt[^1].Text);
        var tokens = BenchStory.NarrationTokensFor(seed);
        for (var i = 0; i < tokens.Length; i++)
        {
            var update = new ChatResponseUpdate(ChatRole.Assistant, tokens[i]) { ModelId = settings.Model };
            if (i == 0)
            {
                update.AdditionalProperties = new AdditionalPropertiesDictionary { ["backend"] = "instant" };
            }
            yield return update;
        }
        // Usage as a backend would report it; about four characters a token, like the engine's own estimate.
        var promptCharacters = prompt.Sum(m => m.Text.Length);
        yield return new ChatResponseUpdate(
            ChatRole.Assistant,
            [
                new UsageContent(
                    new UsageDetails
                    {
                        InputTokenCount = promptCharacters / 4,
                        OutputTokenCount = tokens.Length,
                        TotalTokenCount = promptCharacters / 4 + tokens.Length,
                    }
                ),
            ]
        )
        {
            ModelId = settings.Model,
            FinishReason = ChatFinishReason.Stop,
        };
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash;
    }
}
