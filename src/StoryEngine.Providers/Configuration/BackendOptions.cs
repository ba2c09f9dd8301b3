namespace StoryEngine.Providers.Configuration;

/// <summary>
/// One named model backend, read from <c>Backends:{name}:{Key}</c>
/// (environment: <c>Backends__{name}__{Key}</c>).
/// </summary>
public sealed class BackendOptions
{
    /// <summary>The backend's name: the key under <c>Backends</c>, used in Narrator:Backends, logs and
    /// status.</summary>
    public string Name { get; set; } = "";

    /// <summary>One of <see cref="BackendKinds.All"/>.</summary>
    public string Kind { get; set; } = BackendKinds.Ollama;

    /// <summary>
    /// The server's root. For kind openai this includes the API version path (http://host:11434/v1);
    /// for ollama and anthropic it is the bare origin (http://127.0.0.1:11434, https://api.anthropic.com).
    /// </summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Sent as "Authorization: Bearer" by every kind (the Anthropic SDK 13.x sends its key that way too).
    /// Never logged.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "";

    /// <summary>The model's context window; the narrator budgets prompts against it and Ollama is told to use
    /// it.</summary>
    public int ContextTokens { get; set; } = ProvidersConfiguration.DefaultContextTokens;

    /// <summary>Longest one request may take from start to last token; null means only the narrator's
    /// first-token and idle timeouts apply, so a long story is never cut off by a wall clock.</summary>
    public double? TimeoutSeconds { get; set; }

    /// <summary>The most calls this backend is sent at once, from this node (0: no limit); the rest queue by priority
    /// (<see cref="Gateway.BackendGate"/>).</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>How many calls may wait for this backend when it is at <see cref="MaxConcurrency"/>; past that a call
    /// goes to the next backend of its chain, and a turn is refused with 503.</summary>
    public int MaxQueue { get; set; } = 100;

    /// <summary>Slots of <see cref="MaxConcurrency"/> that background work never takes, kept for players' turns and
    /// retries (at most MaxConcurrency − 1, so background work always has one).</summary>
    public int InteractiveReserve { get; set; } = 1;

    /// <summary>Whether the backend's model takes tool calls (OpenAI-compatible <c>tools</c>, Ollama <c>tools</c>).
    /// Off by default: many local models answer a tools request badly; a backend without it keeps prompt-only
    /// narration (issue 22).</summary>
    public bool Tools { get; set; }

    // Deliberately not a record: a generated ToString would print the API key into logs and exceptions.
    public override string ToString() => $"{Name} ({Kind} {Model} at {BaseUrl})";
}
