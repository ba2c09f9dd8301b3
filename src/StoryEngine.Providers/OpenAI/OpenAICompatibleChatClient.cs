using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.OpenAI;

/// <summary>
/// Any OpenAI-compatible chat-completions server through Microsoft.Extensions.AI.OpenAI's <see cref="IChatClient"/>
/// over the official SDK, with its endpoint pointed at <see cref="BackendOptions.BaseUrl"/> (…/v1).
/// </summary>
public sealed class OpenAICompatibleChatClient : BackendChatClient
{
    /// <summary>Sent as the bearer token when Backends:{name}:ApiKey is not set.</summary>
    public const string NoKeyPlaceholder = "no-key";

    /// <summary>Without a per-backend TimeoutSeconds the SDK's own network timeout must not cut a long story
    /// short; the chain's first-token and idle timeouts are what catch a stalled server.</summary>
    private static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromMinutes(10);

    private readonly OpenAIClient _client;
    private readonly HttpClient _http;
    private readonly bool _isOpenAI;

    public OpenAICompatibleChatClient(HttpMessageHandler handler, BackendOptions options)
        : this(SdkClient(handler, options, out var http), http, options) { }

    private OpenAICompatibleChatClient(OpenAIClient client, HttpClient http, BackendOptions options)
        : base(client.GetChatClient(options.Model).AsIChatClient(), options)
    {
        _client = client;
        _http = http;
        _isOpenAI = new Uri(options.BaseUrl).Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
    }

    protected override string Where => $"The OpenAI-compatible server at {Options.BaseUrl}";

    /// <summary>GET {BaseUrl}/models: the server is there and takes the key, without spending tokens.</summary>
    public override async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var models = (await _client.GetOpenAIModelClient().GetModelsAsync(cancellationToken)).Value;
        var listed = models.Any(m => string.Equals(m.Id, Options.Model, StringComparison.OrdinalIgnoreCase));
        // Some servers (llama.cpp) list only a file name, so a missing model is reported, not failed.
        return $"{models.Count} models, {Options.Model} {(listed ? "listed" : "not listed")}";
    }

    /// <summary>The SDK client, configured the same way for chat, embeddings and the probe.</summary>
    internal static OpenAIClient SdkClient(HttpMessageHandler handler, BackendOptions options, out HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(options.BaseUrl.TrimEnd('/'), UriKind.Absolute),
            Transport = new HttpClientPipelineTransport(http),
            // Retries belong to the chain, which knows whether tokens have reached the player yet.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.TimeoutSeconds is { } seconds
                ? TimeSpan.FromSeconds(seconds)
                : DefaultNetworkTimeout,
        };
        // The SDK insists on a key. Local servers (Ollama's /v1, llama.cpp, LM Studio, vLLM without --api-key)
        // ignore the header, and their own docs suggest a placeholder like this one.
        var key = string.IsNullOrEmpty(options.ApiKey) ? NoKeyPlaceholder : options.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }

    protected override ChatOptions? Prepare(ChatOptions? options)
    {
        var strictSchema = options?.ResponseFormat is ChatResponseFormatJson { Schema: not null };
        if (options is null || (_isOpenAI && !strictSchema) || (options.MaxOutputTokens is null && !strictSchema))
        {
            return options;
        }
        var copy = options.Clone();
        if (strictSchema)
        {
            // World-state extraction wants the schema enforced where the server can (OpenAI, vLLM, llama.cpp).
            (copy.AdditionalProperties ??= [])["strict"] = true; // OpenAIClientExtensions.StrictKey
        }
        if (!_isOpenAI && copy.MaxOutputTokens is { } maxTokens)
        {
            // Compatible servers read the older max_tokens (Ollama's /v1 reads nothing else), which the SDK no
            // longer writes (it sends max_completion_tokens). JsonPatch is the SDK's way to add a body field; it is
            // experimental (SCME0001): if it changes, the wire test for max_tokens fails and says so.
            copy.MaxOutputTokens = null;
            var previous = copy.RawRepresentationFactory;
            copy.RawRepresentationFactory = client =>
            {
                var completion = previous?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
#pragma warning disable SCME0001
                completion.Patch.Set("$.max_tokens"u8, maxTokens);
#pragma warning restore SCME0001
                return completion;
            };
        }
        return copy;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
        base.Dispose(disposing);
    }
}
