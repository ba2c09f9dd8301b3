namespace StoryEngine.Providers.Chain;

/// <summary>A snapshot of one backend for /health and `storyengine status`. Holds no API key.</summary>
/// <param name="LastError">What went wrong last and what to do about it; kept after a later success so an
/// operator can still see why the backend flapped.</param>
/// <param name="LastLatency">Time to first token of the last successful call.</param>
/// <param name="Detail">What the last probe found, e.g. "Ollama 0.12.3, llama3.2 pulled".</param>
public sealed record BackendStatus(
    string Name,
    string Kind,
    string BaseUrl,
    string Model,
    BackendState State,
    string? LastError,
    TimeSpan? LastLatency,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? Detail
);
