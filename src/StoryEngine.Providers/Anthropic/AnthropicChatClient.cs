using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Anthropic;

/// <summary>Anthropic's Messages API through the official SDK's own <see cref="IChatClient"/>.</summary>
public sealed class AnthropicChatClient : BackendChatClient
{
    /// <summary>The Messages API requires max_tokens; used when ChatOptions.MaxOutputTokens is not given.</summary>
    public const int DefaultMaxOutputTokens = 2048;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    private readonly AnthropicClient _client;
    private readonly HttpClient _http;

    public AnthropicChatClient(HttpMessageHandler handler, BackendOptions options)
        : this(SdkClient(handler, options, out var http), http, options) { }

    private AnthropicChatClient(AnthropicClient client, HttpClient http, BackendOptions options)
        : base(client.AsIChatClient(options.Model, DefaultMaxOutputTokens), options)
    {
        _client = client;
        _http = http;
    }

    protected override string Where => $"Anthropic at {Options.BaseUrl}";

    /// <summary>GET /v1/models/{model}: proves the key works and the model exists, without spending tokens.</summary>
    public override async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var info = await _client.Models.Retrieve(
            Options.Model,
            new global::Anthropic.Models.Models.ModelRetrieveParams(),
            cancellationToken
        );
        return $"{info.DisplayName} available";
    }

    /// <summary>
    /// The Messages API's subset of the generation settings; the rest is listed in the inspector. The SDK's
    /// IChatClient (13.x) writes max_tokens and stop_sequences but not temperature, top_p or top_k, and its
    /// MessageCreateParams has no properties for them, so they go in as raw body fields of the parameters the
    /// client starts from (RawRepresentationFactory); the wire test says so if that ever changes.
    /// </summary>
    protected override ChatOptions? Prepare(ChatOptions? options)
    {
        options = GenerationSupport.Without(options, GenerationSupport.Unsupported(Options));
        if (options is null || (options.Temperature is null && options.TopP is null && options.TopK is null))
        {
            return options;
        }
        var copy = options.Clone();
        var body = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        if (copy.Temperature is { } temperature)
        {
            body["temperature"] = System.Text.Json.JsonSerializer.SerializeToElement(
                Math.Round((double)temperature, 6)
            );
        }
        if (copy.TopP is { } topP)
        {
            body["top_p"] = System.Text.Json.JsonSerializer.SerializeToElement(Math.Round((double)topP, 6));
        }
        if (copy.TopK is { } topK)
        {
            body["top_k"] = System.Text.Json.JsonSerializer.SerializeToElement(topK);
        }
        (copy.Temperature, copy.TopP, copy.TopK) = (null, null, null);
        copy.RawRepresentationFactory = _ => new global::Anthropic.Models.Messages.MessageCreateParams(
            new Dictionary<string, System.Text.Json.JsonElement>(),
            new Dictionary<string, System.Text.Json.JsonElement>(),
            body
        )
        {
            // Placeholders the client replaces with the request's own (it fills what the options say).
            MaxTokens = copy.MaxOutputTokens ?? DefaultMaxOutputTokens,
            Messages = [],
            Model = Options.Model,
        };
        return copy;
    }

    protected override string? Unusable(Exception exception) =>
        exception is AnthropicInvalidDataException ? "sent a malformed response" : base.Unusable(exception);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
        base.Dispose(disposing);
    }

    private static AnthropicClient SdkClient(HttpMessageHandler handler, BackendOptions options, out HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        return new AnthropicClient(
            new ClientOptions
            {
                HttpClient = http,
                // The SDK appends /v1/messages itself, so BaseUrl is the origin (https://api.anthropic.com).
                BaseUrl = options.BaseUrl.TrimEnd('/'),
                ApiKey = options.ApiKey,
                // Retries belong to the chain, which knows whether tokens have reached the player yet.
                MaxRetries = 0,
                Timeout = options.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultTimeout,
            }
        );
    }
}
