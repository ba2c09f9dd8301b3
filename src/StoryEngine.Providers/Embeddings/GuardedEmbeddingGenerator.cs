using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;
using StoryEngine.Providers.Ollama;
using StoryEngine.Providers.OpenAI;

namespace StoryEngine.Providers.Embeddings;

/// <summary>
/// A library embedding generator (OllamaSharp's <c>/api/embed</c>, or the OpenAI SDK's <c>/embeddings</c> through
/// the SDK's EmbeddingClient) under the rules recall relies on: one request takes at most
/// Embeddings:TimeoutSeconds, one vector comes back per input, and an unreadable answer is a
/// <see cref="BackendProtocolException"/>.
/// </summary>
public sealed class GuardedEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BackendOptions _backend;
    private readonly TimeSpan _timeout;
    private readonly IDisposable? _owned;

    private GuardedEmbeddingGenerator(
        IEmbeddingGenerator<string, Embedding<float>> inner,
        BackendOptions backend,
        TimeSpan timeout,
        IDisposable? owned
    )
        : base(inner)
    {
        _backend = backend;
        _timeout = timeout;
        _owned = owned;
    }

    /// <summary>The generator for an ollama or openai backend; null for a kind without an embeddings API.</summary>
    public static GuardedEmbeddingGenerator? Create(
        BackendOptions backend,
        string model,
        TimeSpan timeout,
        HttpMessageHandler handler
    )
    {
        ArgumentNullException.ThrowIfNull(backend);
        switch (BackendKinds.Normalize(backend.Kind))
        {
            case BackendKinds.Ollama:
                return new(OllamaChatClient.SdkClient(handler, backend, model), backend, timeout, owned: null);
            case BackendKinds.OpenAI:
                var client = OpenAICompatibleChatClient.SdkClient(handler, backend, out var http);
                var indexed = new IndexedEmbeddingGenerator(client.GetEmbeddingClient(model), model);
                return new(indexed, backend, timeout, http);
            default:
                return null;
        }
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var inputs = values as IReadOnlyCollection<string> ?? values.ToList();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(inputs, options, limit.Token);
        }
        catch (OperationCanceledException)
            when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{Where} did not answer an embedding request within "
                    + $"{_timeout.TotalSeconds:0.#} s (Embeddings:TimeoutSeconds)."
            );
        }
        catch (JsonException e)
        {
            throw new BackendProtocolException(
                $"{Where} answered an embedding request with something unreadable: {e.Message}",
                e
            );
        }
        if (result.Count != inputs.Count)
        {
            throw new BackendProtocolException(
                $"{Where} answered {result.Count} embeddings for {inputs.Count} inputs."
            );
        }
        return result;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _owned?.Dispose();
        }
        base.Dispose(disposing);
    }

    private string Where => $"{_backend.Name} at {_backend.BaseUrl}";
}
