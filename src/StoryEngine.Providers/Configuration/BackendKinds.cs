namespace StoryEngine.Providers.Configuration;

/// <summary>The wire protocols a backend can speak; the value of <c>Backends:{name}:Kind</c>.</summary>
public static class BackendKinds
{
    /// <summary>Any OpenAI-compatible chat-completions server (OpenAI, Ollama's /v1, llama.cpp, vLLM, LM Studio,
    /// OpenRouter).</summary>
    public const string OpenAI = "openai";

    /// <summary>Ollama's native API (/api/chat), which, unlike its /v1, lets us set the context size.</summary>
    public const string Ollama = "ollama";

    /// <summary>Anthropic's Messages API.</summary>
    public const string Anthropic = "anthropic";

    public static IReadOnlyList<string> All { get; } = [OpenAI, Ollama, Anthropic];

    /// <summary>The lower-case kind when <paramref name="value"/> names one (any case), otherwise null.</summary>
    public static string? Normalize(string? value)
    {
        var trimmed = value?.Trim();
        return All.FirstOrDefault(k => string.Equals(k, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Where a kind's server usually listens when BaseUrl is left out.</summary>
    public static string DefaultBaseUrl(string kind) =>
        kind switch
        {
            Ollama => "http://127.0.0.1:11434",
            Anthropic => "https://api.anthropic.com",
            _ => "https://api.openai.com/v1",
        };
}
