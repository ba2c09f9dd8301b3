using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Embeddings;

/// <summary><c>POST {BaseUrl}/api/embed</c> of Ollama's native API: a batch of inputs in, <c>"embeddings"</c> in the same order out.</summary>
public sealed class OllamaEmbeddingGenerator(HttpClient http, BackendOptions backend, string model, TimeSpan timeout)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Uri _uri = new(backend.BaseUrl.TrimEnd('/') + "/api/embed", UriKind.Absolute);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToArray();
        var modelId = options?.ModelId ?? model;
        using var json = await EmbeddingWire.PostAsync(http, backend, _uri, new { model = modelId, input = inputs }, timeout, cancellationToken);
        if (!json.RootElement.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Array)
        {
            throw new BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered /api/embed without \"embeddings\".");
        }
        if (embeddings.GetArrayLength() != inputs.Length)
        {
            throw new BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered {embeddings.GetArrayLength()} embeddings for {inputs.Length} inputs.");
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(embeddings.EnumerateArray().Select(e => new Embedding<float>(EmbeddingWire.ReadVector(e, backend)) { ModelId = modelId }));
        if (json.RootElement.TryGetProperty("prompt_eval_count", out var tokens) && tokens.TryGetInt64(out var count))
        {
            result.Usage = new UsageDetails { InputTokenCount = count };
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("ollama", _uri, model)
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the BackendFactory.
    }
}
