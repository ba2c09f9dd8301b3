namespace StoryEngine.Providers.Ollama;

/// <summary>A model Ollama has pulled (GET /api/tags).</summary>
/// <param name="Name">As Ollama names it, with its tag: "llama3.2:latest".</param>
public sealed record OllamaModelInfo(
    string Name,
    long? SizeBytes,
    DateTimeOffset? ModifiedAt,
    string? Family,
    string? ParameterSize,
    string? QuantizationLevel
)
{
    /// <summary>True when a configured model name refers to this model ("llama3.2" means "llama3.2:latest").</summary>
    public bool Matches(string configuredModel) =>
        string.Equals(Name, configuredModel, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Name, configuredModel + ":latest", StringComparison.OrdinalIgnoreCase);
}
