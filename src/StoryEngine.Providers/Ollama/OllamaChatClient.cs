using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Ollama;

/// <summary>
/// Ollama's native API by hand (OllamaSharp is not obtainable here). Preferred over Ollama's /v1 because
/// only the native API lets us set num_ctx, without which Ollama truncates long story prompts silently.
/// </summary>
public sealed class OllamaChatClient : IChatClient, IBackendProbe
{
    private const int MaxErrorBodyChars = 2000;

    private readonly HttpClient _http;
    private readonly BackendOptions _options;
    private readonly Uri _baseUri;
    private readonly ChatClientMetadata _metadata;

    /// <param name="httpClient">Not disposed by this client; its Timeout should be infinite (the chain times streams itself).</param>
    public OllamaChatClient(HttpClient httpClient, BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options;
        // A trailing slash makes "api/chat" resolve under the base path, also when Ollama sits behind a prefix.
        _baseUri = new Uri(options.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute);
        _metadata = new ChatClientMetadata("ollama", _baseUri, options.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var request = CreateChatRequest(messages, options, stream: false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var chunk = Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var update = ToUpdate(chunk, Guid.NewGuid().ToString("N"));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, update.Contents.Where(c => c is not UsageContent).ToList()) { MessageId = update.MessageId })
        {
            ResponseId = update.ResponseId,
            ModelId = update.ModelId,
            CreatedAt = update.CreatedAt,
            FinishReason = update.FinishReason,
            Usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = CreateChatRequest(messages, options, stream: true);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body, Encoding.UTF8);
        var responseId = Guid.NewGuid().ToString("N");
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken)
                ?? throw new BackendProtocolException($"Ollama at {_options.BaseUrl} ended the stream before its final (\"done\": true) message.");
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var chunk = Parse(line);
            yield return ToUpdate(chunk, responseId);
            if (chunk.Done)
            {
                yield break;
            }
        }
    }

    /// <summary>The server's version (GET /api/version), e.g. "0.12.3".</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, "api/version");
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var version = await ReadJsonAsync(response, OllamaJsonContext.Default.OllamaVersion, cancellationToken);
        return version?.Version ?? throw new BackendProtocolException($"Ollama at {_options.BaseUrl} answered /api/version without a version.");
    }

    /// <summary>The models Ollama has pulled (GET /api/tags).</summary>
    public async Task<IReadOnlyList<OllamaModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, "api/tags");
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var tags = await ReadJsonAsync(response, OllamaJsonContext.Default.OllamaTags, cancellationToken);
        return (tags?.Models ?? [])
            .Where(t => !string.IsNullOrEmpty(t.Name ?? t.Model))
            .Select(t => new OllamaModelInfo(t.Name ?? t.Model!, t.Size, t.ModifiedAt, t.Details?.Family, t.Details?.ParameterSize, t.Details?.QuantizationLevel))
            .ToList();
    }

    /// <summary>Up when Ollama answers and has the configured model pulled; a missing model would fail every turn.</summary>
    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var version = await GetVersionAsync(cancellationToken);
        var models = await ListModelsAsync(cancellationToken);
        if (!models.Any(m => m.Matches(_options.Model)))
        {
            // Reported like the 404 that /api/chat would answer, so the chain explains it the same way.
            throw new HttpRequestException(
                $"Ollama {version} at {_options.BaseUrl} has not pulled the model '{_options.Model}'. Run `ollama pull {_options.Model}` or change Backends:{_options.Name}:Model.",
                inner: null,
                System.Net.HttpStatusCode.NotFound);
        }
        return $"Ollama {version}, {_options.Model} pulled";
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to whoever passed it in (BackendFactory).
    }

    private HttpRequestMessage CreateChatRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var body = new OllamaChatRequest
        {
            Model = options?.ModelId ?? _options.Model,
            Messages = ChatTranscript.Checked(messages)
                .Select(m => new OllamaMessage { Role = ChatTranscript.WireRole(m.Role), Content = m.Text })
                .ToList(),
            Stream = stream,
            Format = options?.ResponseFormat is ChatResponseFormatJson json
                ? json.Schema ?? System.Text.Json.JsonDocument.Parse("\"json\"").RootElement
                : null,
            Options = new OllamaRequestOptions
            {
                NumCtx = _options.ContextTokens,
                Temperature = options?.Temperature,
                NumPredict = options?.MaxOutputTokens,
                Stop = options?.StopSequences is { Count: > 0 } stop ? stop.ToList() : null,
                TopP = options?.TopP,
                TopK = options?.TopK,
                Seed = options?.Seed,
            },
        };
        var request = CreateRequest(HttpMethod.Post, "api/chat");
        request.Content = JsonContent.Create(body, OllamaJsonContext.Default.OllamaChatRequest);
        return request;
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUri, path));
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            // Plain Ollama ignores it; a reverse proxy or a hosted Ollama in front of it may require it.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        }
        return request;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, OllamaJsonContext.Default.OllamaError)?.Error;
        }
        catch (JsonException)
        {
            // Not Ollama's {"error": "..."} shape (a proxy's HTML page, say): quote the raw body instead.
        }
        var detail = ChatTranscript.Truncate(error ?? body, MaxErrorBodyChars);
        throw new HttpRequestException(
            $"Ollama at {_options.BaseUrl} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase}){(detail.Length > 0 ? ": " + detail : "")}",
            inner: null,
            response.StatusCode);
    }

    private async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException ex)
        {
            throw new BackendProtocolException($"Ollama at {_options.BaseUrl} answered {response.RequestMessage?.RequestUri?.AbsolutePath} with something that is not JSON: {ChatTranscript.Truncate(body, 200)}", ex);
        }
    }

    private OllamaChatChunk Parse(string json)
    {
        OllamaChatChunk? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(json, OllamaJsonContext.Default.OllamaChatChunk);
        }
        catch (JsonException ex)
        {
            throw new BackendProtocolException($"Ollama at {_options.BaseUrl} sent a malformed stream line: {ChatTranscript.Truncate(json, 200)}", ex);
        }
        if (chunk is null)
        {
            throw new BackendProtocolException($"Ollama at {_options.BaseUrl} sent an empty stream line (null).");
        }
        if (chunk.Error is { } error)
        {
            // Ollama reports failures that happen after the 200 header (e.g. the model runner crashed) in the stream.
            throw new BackendProtocolException($"Ollama at {_options.BaseUrl} reported an error: {ChatTranscript.Truncate(error)}");
        }
        return chunk;
    }

    private static ChatResponseUpdate ToUpdate(OllamaChatChunk chunk, string responseId)
    {
        var contents = new List<AIContent>();
        if (!string.IsNullOrEmpty(chunk.Message?.Thinking))
        {
            contents.Add(new TextReasoningContent(chunk.Message.Thinking));
        }
        if (!string.IsNullOrEmpty(chunk.Message?.Content))
        {
            contents.Add(new TextContent(chunk.Message.Content));
        }
        if (chunk.Done && (chunk.PromptEvalCount is not null || chunk.EvalCount is not null))
        {
            contents.Add(new UsageContent(new UsageDetails
            {
                InputTokenCount = chunk.PromptEvalCount,
                OutputTokenCount = chunk.EvalCount,
                TotalTokenCount = (chunk.PromptEvalCount ?? 0) + (chunk.EvalCount ?? 0),
            }));
        }
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = chunk.Model,
            CreatedAt = chunk.CreatedAt,
            FinishReason = chunk.Done ? MapDoneReason(chunk.DoneReason) : null,
            RawRepresentation = chunk,
        };
    }

    private static ChatFinishReason? MapDoneReason(string? reason) => reason switch
    {
        null or "" => ChatFinishReason.Stop,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        _ => new ChatFinishReason(reason),
    };
}
