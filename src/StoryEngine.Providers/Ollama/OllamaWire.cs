using System.Text.Json.Serialization;

namespace StoryEngine.Providers.Ollama;

// Ollama's native wire format (docs/api.md in the ollama repository): POST /api/chat answers, when
// streaming, with one JSON object per line (NDJSON) and ends with an object that has "done": true and
// the token counts. GET /api/version and GET /api/tags are plain JSON.

internal sealed class OllamaChatRequest
{
    public required string Model { get; init; }
    public required IReadOnlyList<OllamaMessage> Messages { get; init; }
    public bool Stream { get; init; }
    public OllamaRequestOptions? Options { get; init; }

    /// <summary>Structured output: "json", or a JSON schema the answer must follow.</summary>
    public System.Text.Json.JsonElement? Format { get; init; }
}

internal sealed class OllamaMessage
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? Thinking { get; init; }
}

/// <summary>Ollama's model parameters (its Modelfile PARAMETER names).</summary>
internal sealed class OllamaRequestOptions
{
    /// <summary>Ollama otherwise uses its own small default context and silently drops the start of a long prompt.</summary>
    public int? NumCtx { get; init; }
    public float? Temperature { get; init; }
    public int? NumPredict { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public long? Seed { get; init; }
}

internal sealed class OllamaChatChunk
{
    public string? Model { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public OllamaMessage? Message { get; init; }
    public bool Done { get; init; }
    public string? DoneReason { get; init; }
    public long? PromptEvalCount { get; init; }
    public long? EvalCount { get; init; }
    public string? Error { get; init; }
}

internal sealed class OllamaVersion
{
    public string? Version { get; init; }
}

internal sealed class OllamaTags
{
    public IReadOnlyList<OllamaTag>? Models { get; init; }
}

internal sealed class OllamaTag
{
    public string? Name { get; init; }
    public string? Model { get; init; }
    public DateTimeOffset? ModifiedAt { get; init; }
    public long? Size { get; init; }
    public string? Digest { get; init; }
    public OllamaTagDetails? Details { get; init; }
}

internal sealed class OllamaTagDetails
{
    public string? Family { get; init; }
    public string? ParameterSize { get; init; }
    public string? QuantizationLevel { get; init; }
}

internal sealed class OllamaError
{
    public string? Error { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatChunk))]
[JsonSerializable(typeof(OllamaVersion))]
[JsonSerializable(typeof(OllamaTags))]
[JsonSerializable(typeof(OllamaError))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
