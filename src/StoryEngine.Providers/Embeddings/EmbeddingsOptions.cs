namespace StoryEngine.Providers.Embeddings;

/// <summary>Configuration section <c>Embeddings</c>: which backend turns text into vectors for recall. None by
/// default.</summary>
public sealed class EmbeddingsOptions
{
    public const string Section = "Embeddings";

    /// <summary>A name under <c>Backends</c> of kind ollama or openai; empty means full-text recall only.</summary>
    public string? Backend { get; set; }

    /// <summary>The embedding model (e.g. nomic-embed-text); the chat model of the backend is not an embedding
    /// model.</summary>
    public string? Model { get; set; }

    /// <summary>Texts sent in one request when indexing.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Longest one embedding request may take.</summary>
    public double TimeoutSeconds { get; set; } = 30;
}
