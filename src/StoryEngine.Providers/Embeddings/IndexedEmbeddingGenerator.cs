using Microsoft.Extensions.AI;
using OpenAI.Embeddings;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Embeddings;

/// <summary>
/// The OpenAI SDK's <see cref="EmbeddingClient"/> as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> that puts
/// each vector at its input's place. Servers may answer out of order and say by "index" which input a vector is for;
/// Microsoft.Extensions.AI.OpenAI 11.0.0's <c>AsIEmbeddingGenerator()</c> keeps the server's order and drops the
/// index, which would file vectors under the wrong memories (docs/adr/0031-library-provider-adapters.md).
/// </summary>
internal sealed class IndexedEmbeddingGenerator(EmbeddingClient client, string model)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var inputs = values.ToList();
        var answer = (await client.GenerateEmbeddingsAsync(inputs, cancellationToken: cancellationToken)).Value;
        var vectors = new Embedding<float>[inputs.Count];
        foreach (var item in answer)
        {
            if (item.Index < 0 || item.Index >= vectors.Length || vectors[item.Index] is not null)
            {
                throw new BackendProtocolException(
                    $"The server answered with an embedding for input {item.Index} of {inputs.Count}."
                );
            }
            vectors[item.Index] = new Embedding<float>(item.ToFloats()) { ModelId = answer.Model ?? model };
        }
        if (vectors.Any(v => v is null))
        {
            throw new BackendProtocolException(
                $"The server answered {answer.Count} embeddings for {inputs.Count} inputs."
            );
        }
        return new GeneratedEmbeddings<Embedding<float>>(vectors)
        {
            Usage = answer.Usage is { } usage ? new UsageDetails { InputTokenCount = usage.InputTokenCount } : null,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingClient) ? client
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient under the SDK client belongs to GuardedEmbeddingGenerator.
    }
}
