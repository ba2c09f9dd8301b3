using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OllamaSharp.Models.Exceptions;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Ollama;

/// <summary>
/// Ollama's native API through OllamaSharp's <see cref="OllamaApiClient"/>. Preferred over Ollama's /v1 because
/// only the native API lets us set num_ctx, without which Ollama truncates long story prompts silently.
/// </summary>
public sealed class OllamaChatClient : BackendChatClient
{
    private readonly OllamaApiClient _client;

    public OllamaChatClient(HttpMessageHandler handler, BackendOptions options)
        : this(SdkClient(handler, options), options) { }

    private OllamaChatClient(OllamaApiClient client, BackendOptions options)
        : base(client, options) => _client = client;

    protected override string Where => $"Ollama at {Options.BaseUrl}";

    /// <summary>The server's version (GET /api/version), e.g. "0.12.3".</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken = default) =>
        (await _client.GetVersionAsync(cancellationToken)).ToString();

    /// <summary>The models Ollama has pulled (GET /api/tags).</summary>
    public async Task<IReadOnlyList<OllamaModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var models = await _client.ListLocalModelsAsync(cancellationToken);
        return models
            .Where(m => !string.IsNullOrEmpty(m.Name))
            .Select(m => new OllamaModelInfo(
                m.Name,
                m.Size,
                m.ModifiedAt,
                m.Details?.Family,
                m.Details?.ParameterSize,
                m.Details?.QuantizationLevel
            ))
            .ToList();
    }

    /// <summary>Up when Ollama answers and has the configured model pulled (a missing one fails every turn).</summary>
    public override async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var version = await GetVersionAsync(cancellationToken);
        var models = await ListModelsAsync(cancellationToken);
        if (!models.Any(m => m.Matches(Options.Model)))
        {
            // Reported like the 404 that /api/chat would answer, so the chain explains it the same way.
            throw new HttpRequestException(
                $"Ollama {version} at {Options.BaseUrl} has not pulled the model '{Options.Model}'. "
                    + $"Run `ollama pull {Options.Model}` or change Backends:{Options.Name}:Model.",
                inner: null,
                System.Net.HttpStatusCode.NotFound
            );
        }
        return $"Ollama {version}, {Options.Model} pulled";
    }

    /// <summary>An OllamaSharp client over our handler, the base path kept (Ollama may sit behind a prefix).</summary>
    internal static OllamaApiClient SdkClient(HttpMessageHandler handler, BackendOptions options, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        // The error handler holds nothing; disposing it would dispose the shared handler under it.
#pragma warning disable CA2000
        var http = new HttpClient(new OllamaErrorHandler(handler, options), disposeHandler: false)
#pragma warning restore CA2000
        {
            BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        // The HttpClient given to OllamaApiClient is not disposed by it; it owns nothing but its pooled handler's use.
        var client = new OllamaApiClient(http, model ?? options.Model);
        var incoming = client.IncomingJsonSerializerOptions;
        incoming.Converters.Add(new StreamErrorConverter(new JsonSerializerOptions(incoming)));
        return client;
    }

    protected override ChatOptions? Prepare(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        // Ollama otherwise uses its own small default context and silently drops the start of a long prompt.
        (copy.AdditionalProperties ??= [])["num_ctx"] = Options.ContextTokens;
        // OllamaSharp moves AdditionalProperties named like Ollama's options into "options"; min_p is already
        // Ollama's name, the repetition penalty is called repeat_penalty there.
        if (GenerationSupport.Take<double>(copy, GenerationSupport.RepetitionPenaltyKey) is { } repetition)
        {
            copy.AdditionalProperties["repeat_penalty"] = (float)repetition;
        }
        if (GenerationSupport.Take<double>(copy, GenerationSupport.MinPKey) is { } minP)
        {
            copy.AdditionalProperties["min_p"] = (float)minP;
        }
        return copy;
    }

    /// <summary>OllamaSharp throws <see cref="ResponseError"/> for an <c>{"error": …}</c> line inside a 200 stream
    /// (e.g. the model runner crashed after the header went out).</summary>
    protected override string? Unusable(Exception exception) =>
        exception is ResponseError ? "reported an error" : base.Unusable(exception);
}
