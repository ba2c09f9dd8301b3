using System.Text;
using Polly.CircuitBreaker;

namespace StoryEngine.Providers.Errors;

/// <summary>
/// No backend in the chain answered. <see cref="Exception.Message"/> is for the player: a plain sentence with no
/// address, model, configuration key or path, because it reaches problem documents and the story log (issue #15,
/// fault 6). <see cref="Detail"/> is for the person running the server: what each backend did and what to start or
/// configure, e.g. "No model backend answered: ollama at http://127.0.0.1:11434 refused the connection. Start
/// Ollama (ollama serve) or ..."; the chain logs it, and /health (for admins) and the admin backends page show it
/// per backend.
/// </summary>
public sealed class BackendUnavailableException : Exception
{
    public const string ConfigurationHelp =
        "Configure backends under Backends:{name} (Kind, BaseUrl, Model, ApiKey) and list them in Narrator:Backends; "
        + "see src/StoryEngine.Providers/README.md.";

    /// <summary>What a player reads when the backends fail.</summary>
    public const string NotAnswering = "The storyteller's model is not answering right now. Try again in a minute.";

    /// <summary>What a player reads when every backend's circuit is open.</summary>
    public const string Paused =
        "The storyteller's model failed too often just now and is taking a short break. Try again in a minute.";

    /// <summary>What a player reads when no backend is configured at all.</summary>
    public const string NotConfigured =
        "The storyteller has no model to talk to yet. Ask the server's operator to set one up.";

    public BackendUnavailableException()
        : this([]) { }

    public BackendUnavailableException(string message)
        : base(message)
    {
        Detail = message;
    }

    public BackendUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    public BackendUnavailableException(IReadOnlyList<BackendFailure> failures)
        : base(ForPlayer(failures), failures.Count > 0 ? failures[^1].Exception : null)
    {
        Failures = failures;
        Detail = Compose(failures);
    }

    /// <summary>One entry per backend tried, in chain order.</summary>
    public IReadOnlyList<BackendFailure> Failures { get; } = [];

    /// <summary>For the operator: each backend's address, what it did and the configuration key to fix. Never shown to
    /// players.</summary>
    public string Detail { get; } = "";

    private static string ForPlayer(IReadOnlyList<BackendFailure> failures) =>
        failures.Count == 0 ? NotConfigured
        : failures.All(f => f.Exception is BrokenCircuitException) ? Paused
        : NotAnswering;

    private static string Compose(IReadOnlyList<BackendFailure> failures)
    {
        if (failures.Count == 0)
        {
            return "No model backend is configured. " + ConfigurationHelp;
        }
        if (failures.Count == 1)
        {
            var only = failures[0];
            return $"No model backend answered: {only.Where} {only.Reason}. {only.Hint} {ConfigurationHelp}";
        }
        var text = new StringBuilder("No model backend answered.");
        foreach (var failure in failures)
        {
            text.Append(' ').Append(failure.Where).Append(' ').Append(failure.Reason).Append(". ").Append(failure.Hint);
        }
        return text.Append(' ').Append(ConfigurationHelp).ToString();
    }
}
