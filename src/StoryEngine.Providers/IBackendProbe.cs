namespace StoryEngine.Providers;

/// <summary>A cheap "are you there?" that does not spend tokens, for /health and `storyengine status`.</summary>
public interface IBackendProbe
{
    /// <summary>Returns a short description of what answered (e.g. "Ollama 0.12.3, llama3.2 pulled");
    /// throws when the backend is unreachable or cannot serve the configured model.</summary>
    Task<string> ProbeAsync(CancellationToken cancellationToken);
}
