using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using OpenAIFinishReason = OpenAI.Chat.ChatFinishReason;

namespace StoryEngine.Providers.OpenAI;

/// <summary>
/// Any OpenAI-compatible chat-completions server through the official OpenAI SDK with its endpoint pointed at
/// <see cref="BackendOptions.BaseUrl"/> (…/v1). Microsoft.Extensions.AI.OpenAI is not obtainable here, so this
/// is the adapter it would have been.
/// </summary>
public sealed class OpenAICompatibleChatClient : IChatClient, IBackendProbe
{
    /// <summary>Without a per-backend TimeoutSeconds the SDK's own network timeout must not cut a long story
    /// short; the chain's first-token and idle timeouts are what catch a stalled server.</summary>
    private static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Sent as the bearer token when Backends:{name}:ApiKey is not set.</summary>
    public const string NoKeyPlaceholder = "no-key";

    private readonly BackendOptions _options;
    private readonly ChatClient _chat;
    private readonly OpenAIModelClient _models;
    private readonly bool _isOpenAI;
    private readonly ChatClientMetadata _metadata;

    /// <param name="httpClient">Not disposed by this client; its Timeout should be infinite.</param>
    public OpenAICompatibleChatClient(HttpClient httpClient, BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var endpoint = new Uri(options.BaseUrl.TrimEnd('/'), UriKind.Absolute);
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(httpClient),
            // Retries belong to the chain, which knows whether tokens have reached the player yet.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultNetworkTimeout,
        };
        // The SDK insists on a key. Local servers (Ollama's /v1, llama.cpp, LM Studio, vLLM without --api-key)
        // ignore the header, and their own docs suggest a placeholder like this one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? NoKeyPlaceholder : options.ApiKey);
        _chat = new ChatClient(options.Model, credential, clientOptions);
        _models = new OpenAIModelClient(credential, clientOptions);
        _isOpenAI = endpoint.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
        _metadata = new ChatClientMetadata("openai", endpoint, options.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = ToOpenAIMessages(messages);
        ClientResult<ChatCompletion> result;
        try
        {
            result = await _chat.CompleteChatAsync(request, ToCompletionOptions(options), cancellationToken);
        }
        catch (JsonException ex)
        {
            throw Malformed(ex);
        }
        var completion = result.Value;
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        return new ChatResponse(new AIChatMessage(ChatRole.Assistant, text) { MessageId = completion.Id })
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = MapFinishReason(completion.FinishReason),
            Usage = MapUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ToOpenAIMessages(messages);
        // The SDK asks for stream_options.include_usage itself on streaming calls, so the last chunk carries usage.
        var stream = _chat.CompleteChatStreamingAsync(request, ToCompletionOptions(options), cancellationToken);
        await using var updates = stream.GetAsyncEnumerator(cancellationToken);
        var finished = false;
        while (await MoveNextAsync(updates))
        {
            var update = updates.Current;
            finished |= update.FinishReason is not null;
            yield return ToUpdate(update);
        }
        if (!finished)
        {
            // A clean end of the HTTP body without finish_reason means a proxy or the server gave up mid-answer.
            throw new BackendProtocolException($"The OpenAI-compatible server at {_options.BaseUrl} ended the stream without a finish_reason; the answer is incomplete.");
        }
    }

    /// <summary>GET {BaseUrl}/models: proves the server is there and the key is accepted, without spending tokens.</summary>
    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var models = (await _models.GetModelsAsync(cancellationToken)).Value;
        var listed = models.Any(m => string.Equals(m.Id, _options.Model, StringComparison.OrdinalIgnoreCase));
        // Some servers (llama.cpp) list only a file name, so a missing model is reported, not failed.
        return listed ? $"{models.Count} models, {_options.Model} listed" : $"{models.Count} models, {_options.Model} not listed";
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(ChatClient) ? _chat
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to whoever passed it in (BackendFactory).
    }

    private async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<StreamingChatCompletionUpdate> updates)
    {
        try
        {
            return await updates.MoveNextAsync();
        }
        catch (JsonException ex)
        {
            throw Malformed(ex);
        }
    }

    private BackendProtocolException Malformed(JsonException ex) =>
        new($"The OpenAI-compatible server at {_options.BaseUrl} sent a malformed response: {ex.Message}", ex);

    private static List<global::OpenAI.Chat.ChatMessage> ToOpenAIMessages(IEnumerable<AIChatMessage> messages) =>
        ChatTranscript.Checked(messages).Select(m => m.Role == ChatRole.System ? (global::OpenAI.Chat.ChatMessage)new SystemChatMessage(m.Text)
            : m.Role == ChatRole.Assistant ? new AssistantChatMessage(m.Text)
            : new UserChatMessage(m.Text)).ToList();

    private ChatCompletionOptions ToCompletionOptions(ChatOptions? options)
    {
        var result = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
        if (options?.MaxOutputTokens is { } maxTokens)
        {
            if (_isOpenAI)
            {
                result.MaxOutputTokenCount = maxTokens; // max_completion_tokens: OpenAI's current name
            }
            else
            {
                // Compatible servers read the older max_tokens (Ollama's /v1 reads nothing else), which the
                // SDK no longer writes; JsonPatch is the SDK's way to add a field to the request body. It is marked
                // experimental (SCME0001); if it changes, the wire test for max_tokens fails and says so.
#pragma warning disable SCME0001
                result.Patch.Set("$.max_tokens"u8, maxTokens);
#pragma warning restore SCME0001
            }
        }
        foreach (var stop in options?.StopSequences ?? [])
        {
            result.StopSequences.Add(stop);
        }
        // Structured output (world state extraction): response_format json_schema, which OpenAI, vLLM, llama.cpp and
        // Ollama's /v1 understand; a server that ignores it still gets the schema's wording in the prompt.
        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            result.ResponseFormat = json.Schema is { } schema
                ? global::OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(json.SchemaName ?? "response", BinaryData.FromString(schema.GetRawText()),
                    json.SchemaDescription, jsonSchemaIsStrict: true)
                : global::OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat();
        }
        return result;
    }

    private static ChatResponseUpdate ToUpdate(StreamingChatCompletionUpdate update)
    {
        var contents = new List<AIContent>();
        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                contents.Add(new TextContent(part.Text));
            }
        }
        if (MapUsage(update.Usage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            ModelId = update.Model,
            CreatedAt = update.CreatedAt,
            FinishReason = update.FinishReason is { } reason ? MapFinishReason(reason) : null,
            RawRepresentation = update,
        };
    }

    private static UsageDetails? MapUsage(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

    private static AIFinishReason MapFinishReason(OpenAIFinishReason reason) => reason switch
    {
        OpenAIFinishReason.Stop => AIFinishReason.Stop,
        OpenAIFinishReason.Length => AIFinishReason.Length,
        OpenAIFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        OpenAIFinishReason.ToolCalls or OpenAIFinishReason.FunctionCall => AIFinishReason.ToolCalls,
        _ => new AIFinishReason(reason.ToString()),
    };
}
