namespace StoryEngine.Providers.Embeddings;

/// <summary>Configuration section <c>Embeddings</c>: which backend turns text into vectors for recall and world
/// knowledge. Without one, the packaged all-MiniLM-L6-v2 model runs in-process (<see cref="Local"/>).</summary>
public sealed class EmbeddingsOptions
{
    public const string Section = "Embeddings";

    /// <summary>A name under <c>Backends</c> of kind ollama or openai; empty means the local model (when <see
    /// cref="Local"/>) or full-text recall only.</summary>
    public string? Backend { get; set; }

    /// <summary>The embedding model (e.g. nomic-embed-text); the chat model of the backend is not an embedding
    /// model.</summary>
    public string? Model { get; set; }

    /// <summary>Texts sent in one request when indexing.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Without a <see cref="Backend"/>: true (the default) runs the packaged all-MiniLM-L6-v2 model in-process, loaded
    /// in the background after start-up; false leaves recall and knowledge search full-text only.
    /// </summary>
    public bool Local { get; set; } = true;

    /// <summary>How many batches the local model encodes at once (each on one core).</summary>
    public int LocalConcurrency { get; set; } = 1;

    /// <summary>Longest one embedding request may take.</summary>
    public double TimeoutSeconds { get; set; } = 30;
}
