using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Embeddings;

/// <summary>
/// <c>POST {BaseUrl}/embeddings</c> of the OpenAI wire protocol (OpenAI, Ollama's /v1, llama.cpp, vLLM, LM Studio).
/// Written by hand like the chat adapters (docs/adr/0007-hand-written-provider-adapters.md).
/// </summary>
public sealed class OpenAICompatibleEmbeddingGenerator(HttpClient http, BackendOptions backend, string model, TimeSpan timeout)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Uri _uri = new(backend.BaseUrl.TrimEnd('/') + "/embeddings", UriKind.Absolute);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToArray();
        var modelId = options?.ModelId ?? model;
        using var json = await EmbeddingWire.PostAsync(http, backend, _uri, new { model = modelId, input = inputs }, timeout, cancellationToken);
        if (!json.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered an embedding request without \"data\".");
        }
        // Servers may answer out of order; "index" says which input each vector belongs to.
        var vectors = new float[]?[inputs.Length];
        foreach (var item in data.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var i) ? i.GetInt32() : Array.IndexOf(vectors, null);
            if (index < 0 || index >= vectors.Length)
            {
                throw new BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered with an embedding for input {index} of {inputs.Length}.");
            }
            vectors[index] = EmbeddingWire.ReadVector(item.GetProperty("embedding"), backend);
        }
        if (vectors.Any(v => v is null))
        {
            throw new BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered {data.GetArrayLength()} embeddings for {inputs.Length} inputs.");
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v!) { ModelId = modelId }));
        if (json.RootElement.TryGetProperty("usage", out var usage) && usage.TryGetProperty("prompt_tokens", out var tokens) && tokens.TryGetInt64(out var count))
        {
            result.Usage = new UsageDetails { InputTokenCount = count };
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("openai", _uri, model)
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the BackendFactory.
    }
}
