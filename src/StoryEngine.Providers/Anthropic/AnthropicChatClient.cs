using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;
using AnthropicModel = Anthropic.Models.Messages.Model;
using AnthropicStopReason = Anthropic.Models.Messages.StopReason;

namespace StoryEngine.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages API through the official SDK. System messages go into the request's <c>system</c>
/// parameter, as the API wants, and the rest alternate user/assistant. ChatOptions.Temperature and TopP are
/// not sent: SDK 13.x no longer has typed sampling parameters because current Claude models reject them.
/// </summary>
public sealed class AnthropicChatClient : IChatClient, IBackendProbe
{
    /// <summary>The Messages API requires max_tokens; used when ChatOptions.MaxOutputTokens is not given.</summary>
    public const int DefaultMaxOutputTokens = 2048;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    private readonly BackendOptions _options;
    private readonly AnthropicClient _client;
    private readonly ChatClientMetadata _metadata;

    /// <param name="httpClient">Not disposed by this client; its Timeout should be infinite.</param>
    public AnthropicChatClient(HttpClient httpClient, BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = new AnthropicClient(new ClientOptions
        {
            HttpClient = httpClient,
            // The SDK appends /v1/messages itself, so BaseUrl is the origin (https://api.anthropic.com).
            BaseUrl = options.BaseUrl.TrimEnd('/'),
            ApiKey = options.ApiKey,
            // Retries belong to the chain, which knows whether tokens have reached the player yet.
            MaxRetries = 0,
            Timeout = options.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultTimeout,
        });
        _metadata = new ChatClientMetadata("anthropic", new Uri(options.BaseUrl), options.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var parameters = ToParams(messages, options);
        Message message;
        try
        {
            message = await _client.Messages.Create(parameters, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or AnthropicInvalidDataException)
        {
            throw Malformed(ex);
        }
        var text = string.Concat(message.Content.Select(block => block.TryPickText(out var t) ? t.Text : ""));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text) { MessageId = message.ID })
        {
            ResponseId = message.ID,
            ModelId = message.Model.Raw(),
            FinishReason = MapStopReason(message.StopReason?.Raw()),
            Usage = new UsageDetails
            {
                InputTokenCount = message.Usage.InputTokens,
                OutputTokenCount = message.Usage.OutputTokens,
                TotalTokenCount = message.Usage.InputTokens + message.Usage.OutputTokens,
            },
            RawRepresentation = message,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parameters = ToParams(messages, options);
        await using var events = _client.Messages.CreateStreaming(parameters, cancellationToken).GetAsyncEnumerator(cancellationToken);
        string? messageId = null;
        string? model = null;
        long? inputTokens = null;
        var stopped = false;
        while (await MoveNextAsync(events))
        {
            var streamEvent = events.Current;
            if (streamEvent.TryPickStart(out var start))
            {
                // message_start carries the id, the model and the prompt's token count; output comes in message_delta.
                messageId = start.Message.ID;
                model = start.Message.Model.Raw();
                inputTokens = start.Message.Usage.InputTokens;
                yield return NewUpdate(messageId, model, []);
            }
            else if (streamEvent.TryPickContentBlockDelta(out var blockDelta))
            {
                if (blockDelta.Delta.TryPickText(out var text) && !string.IsNullOrEmpty(text.Text))
                {
                    yield return NewUpdate(messageId, model, [new TextContent(text.Text)]);
                }
                else if (blockDelta.Delta.TryPickThinking(out var thinking) && !string.IsNullOrEmpty(thinking.Thinking))
                {
                    yield return NewUpdate(messageId, model, [new TextReasoningContent(thinking.Thinking)]);
                }
            }
            else if (streamEvent.TryPickDelta(out var messageDelta))
            {
                var output = messageDelta.Usage.OutputTokens;
                var input = messageDelta.Usage.InputTokens ?? inputTokens;
                var update = NewUpdate(messageId, model, [new UsageContent(new UsageDetails
                {
                    InputTokenCount = input,
                    OutputTokenCount = output,
                    TotalTokenCount = (input ?? 0) + output,
                })]);
                update.FinishReason = MapStopReason(messageDelta.Delta.StopReason?.Raw());
                yield return update;
            }
            else if (streamEvent.TryPickStop(out _))
            {
                stopped = true;
            }
            // content_block_start/stop frame the deltas and carry no text of their own.
        }
        if (!stopped)
        {
            throw new BackendProtocolException($"Anthropic at {_options.BaseUrl} ended the stream before message_stop; the answer is incomplete.");
        }
    }

    /// <summary>GET /v1/models/{model}: proves the key works and the model exists, without spending tokens.</summary>
    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var info = await _client.Models.Retrieve(_options.Model, new global::Anthropic.Models.Models.ModelRetrieveParams(), cancellationToken);
        return $"{info.DisplayName} available";
    }

    public object? GetService(System.Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_client) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to whoever passed it in (BackendFactory); the SDK client holds nothing else.
    }

    private MessageCreateParams ToParams(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var transcript = ChatTranscript.Checked(messages);
        var system = string.Join("\n\n", transcript.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Where(t => t.Length > 0));
        var turns = transcript
            .Where(m => m.Role != ChatRole.System)
            .Select(m => m.Role == ChatRole.Assistant ? (MessageParam)new AssistantMessageParam(m.Text) : new UserMessageParam(m.Text))
            .ToList();
        return new MessageCreateParams
        {
            Model = (ApiEnum<string, AnthropicModel>)(options?.ModelId ?? _options.Model),
            MaxTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens,
            Messages = turns,
            System = system.Length > 0 ? (MessageCreateParamsSystem)system : null,
            StopSequences = options?.StopSequences is { Count: > 0 } stop ? stop.ToList() : null,
        };
    }

    private async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<RawMessageStreamEvent> events)
    {
        try
        {
            return await events.MoveNextAsync();
        }
        catch (Exception ex) when (ex is JsonException or AnthropicInvalidDataException)
        {
            throw Malformed(ex);
        }
    }

    private BackendProtocolException Malformed(Exception ex) =>
        new($"Anthropic at {_options.BaseUrl} sent a malformed response: {ex.Message}", ex);

    private static ChatResponseUpdate NewUpdate(string? messageId, string? model, IList<AIContent> contents) =>
        new(ChatRole.Assistant, contents) { ResponseId = messageId, MessageId = messageId, ModelId = model };

    private static ChatFinishReason? MapStopReason(string? reason) => reason switch
    {
        null or "" => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" => ChatFinishReason.Length,
        "refusal" => ChatFinishReason.ContentFilter,
        "tool_use" => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(reason),
    };
}
