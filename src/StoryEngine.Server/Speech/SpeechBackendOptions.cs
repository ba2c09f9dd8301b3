namespace StoryEngine.Server.Speech;

/// <summary>
/// One named speech backend, read from <c>Speech:Backends:{name}:{Key}</c>, in the shape of the model backends'
/// <c>Backends:{name}</c>. The one kind is <c>openai</c> (any OpenAI-compatible
/// <c>/v1/audio/speech</c>: OpenAI, Kokoro-FastAPI, LocalAI, openedai-speech); espeak-ng is built in as
/// <c>espeak</c>.
/// </summary>
public sealed class SpeechBackendOptions
{
    public const string OpenAI = "openai";

    public string Name { get; set; } = "";

    public string Kind { get; set; } = OpenAI;

    /// <summary>For openai: the API root including its version path (http://host:8880/v1).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Sent as "Authorization: Bearer"; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The speech model (tts-1, kokoro, …).</summary>
    public string Model { get; set; } = "tts-1";

    /// <summary>The voice used when a request names none.</summary>
    public string DefaultVoice { get; set; } = "alloy";

    /// <summary>Voices this backend has; empty: any name is passed on as it is.</summary>
    public List<string> Voices { get; set; } = [];

    /// <summary>Calls at once from this node.</summary>
    public int MaxConcurrency { get; set; } = 4;

    public double TimeoutSeconds { get; set; } = 60;

    // Not a record: a generated ToString would print the API key.
    public override string ToString() => $"{Name} ({Kind} {Model} at {BaseUrl})";
}
