namespace StoryEngine.Providers.Errors;

/// <summary>Why one backend of a chain did not answer, in words for a person, plus what to do about it.</summary>
/// <param name="Reason">What happened, e.g. "refused the connection".</param>
/// <param name="Hint">What to start or configure, naming the configuration key.</param>
public sealed record BackendFailure(
    string BackendName,
    string Kind,
    string BaseUrl,
    string Model,
    string Reason,
    string Hint,
    Exception Exception
)
{
    /// <summary>"ollama at http://127.0.0.1:11434", or "cloud (anthropic at https://…)" when the name is not the
    /// kind.</summary>
    public string Where =>
        string.Equals(BackendName, Kind, StringComparison.OrdinalIgnoreCase)
            ? $"{BackendName} at {BaseUrl}"
            : $"{BackendName} ({Kind} at {BaseUrl})";
}
