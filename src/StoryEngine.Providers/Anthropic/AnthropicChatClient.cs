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

    /// <summary>The Messages API's subset of the generation settings; the rest is listed in the inspector.</summary>
    protected override ChatOptions? Prepare(ChatOptions? options) =>
        GenerationSupport.Without(options, GenerationSupport.Unsupported(Options));

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
