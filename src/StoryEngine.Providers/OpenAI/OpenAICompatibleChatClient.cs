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
        // api.openai.com refuses fields it does not know; those settings are listed in the inspector instead.
        options = GenerationSupport.Without(options, GenerationSupport.Unsupported(Options));
        if (options is null)
        {
            return null;
        }
        var copy = options.Clone();
        if (copy.ResponseFormat is ChatResponseFormatJson { Schema: not null })
        {
            // World-state extraction wants the schema enforced where the server can (OpenAI, vLLM, llama.cpp).
            (copy.AdditionalProperties ??= [])["strict"] = true; // OpenAIClientExtensions.StrictKey
        }
        // Body fields the SDK does not write: compatible servers read the older max_tokens (Ollama's /v1 reads
        // nothing else; the SDK sends max_completion_tokens), and llama.cpp, vLLM, KoboldCpp and Ollama's /v1 take
        // top_k, min_p and repetition_penalty beside OpenAI's own fields.
        var fields = new List<(string Path, object Value)>();
        if (!_isOpenAI && copy.MaxOutputTokens is { } maxTokens)
        {
            copy.MaxOutputTokens = null;
            fields.Add(("$.max_tokens", maxTokens));
        }
        if (copy.TopK is { } topK)
        {
            copy.TopK = null;
            fields.Add(("$.top_k", topK));
        }
        if (GenerationSupport.Take<double>(copy, GenerationSupport.MinPKey) is { } minP)
        {
            fields.Add(("$.min_p", minP));
        }
        if (GenerationSupport.Take<double>(copy, GenerationSupport.RepetitionPenaltyKey) is { } repetition)
        {
            fields.Add(("$.repetition_penalty", repetition));
        }
        if (fields.Count > 0)
        {
            // JsonPatch is the SDK's way to add a body field; it is experimental (SCME0001): if it changes, the wire
            // tests for these fields fail and say so.
            var previous = copy.RawRepresentationFactory;
            copy.RawRepresentationFactory = client =>
            {
                var completion = previous?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
                foreach (var (path, value) in fields)
                {
#pragma warning disable SCME0001
                    var utf8 = System.Text.Encoding.UTF8.GetBytes(path);
                    if (value is int whole)
                    {
                        completion.Patch.Set(utf8, whole);
                    }
                    else
                    {
                        completion.Patch.Set(utf8, (double)value);
                    }
#pragma warning restore SCME0001
                }
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
