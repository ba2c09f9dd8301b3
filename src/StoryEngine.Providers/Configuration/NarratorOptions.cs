namespace StoryEngine.Providers.Configuration;

/// <summary>How the narrator uses the backends: <c>Narrator:{Key}</c>.</summary>
public sealed class NarratorOptions
{
    /// <summary>Backend names in fallback order: the first that answers tells the story.</summary>
    public IList<string> Backends { get; set; } = [];

    /// <summary>Backends for background work (summaries, state extraction); empty means use <see
    /// cref="Backends"/>.</summary>
    public IList<string> UtilityBackends { get; set; } = [];

    /// <summary>How long to wait for the first token, counted from sending the request (includes the
    /// backend loading the model and reading the prompt).</summary>
    public double FirstTokenTimeoutSeconds { get; set; } = 30;

    /// <summary>How long the stream may go quiet between two tokens before it counts as stalled.</summary>
    public double IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries per backend, before its first token only, for failures that may pass
    /// (connection refused, HTTP 5xx/429, timeouts).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; each later one doubles it (with jitter).</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    // The breaker judges a ratio over many calls, not a run of a few: at a 30% error rate a burst of concurrent turns
    // must not open it for everyone (issue #15, fault 3). Each turn counts once, whatever its retries.

    /// <summary>The share of turns (0 to 1) that must fail within the sampling window for a backend's circuit to
    /// open.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Turns that must reach a backend within the sampling window before the ratio is judged at all.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>The window over which the failure ratio is measured.</summary>
    public double CircuitBreakerSamplingSeconds { get; set; } = 30;

    /// <summary>How long an open circuit skips the backend before one trial call is let through.</summary>
    public double CircuitBreakerBreakSeconds { get; set; } = 15;

    /// <summary>Tool calls the narrator may make in one turn (issue 22); 0 turns its tools off. Used only when every
    /// backend of the chain has <see cref="BackendOptions.Tools"/>.</summary>
    public int MaxToolCalls { get; set; } = 4;

    /// <summary>Seconds the narrator's tool calls may take in one turn; a call after that is refused and the model is
    /// told to write the narration.</summary>
    public double ToolTimeBudgetSeconds { get; set; } = 20;

    /// <summary>The backends for utility work: <see cref="UtilityBackends"/>, or the narrator's when none are
    /// named.</summary>
    public IList<string> EffectiveUtilityBackends => UtilityBackends.Count > 0 ? UtilityBackends : Backends;
}
