using System.Text;

namespace StoryEngine.Providers.Errors;

/// <summary>
/// No backend in the chain answered. The message is written for the person running the server: it says
/// what each backend did and what to start or configure, e.g. "No model backend answered: ollama at
/// http://127.0.0.1:11434 refused the connection. Start Ollama (ollama serve) or ...".
/// </summary>
public sealed class BackendUnavailableException : Exception
{
    public const string ConfigurationHelp =
        "Configure backends under Backends:{name} (Kind, BaseUrl, Model, ApiKey) and list them in Narrator:Backends; see src/StoryEngine.Providers/README.md.";

    public BackendUnavailableException()
        : this([])
    {
    }

    public BackendUnavailableException(string message)
        : base(message)
    {
    }

    public BackendUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BackendUnavailableException(IReadOnlyList<BackendFailure> failures)
        : base(Compose(failures), failures.Count > 0 ? failures[^1].Exception : null)
    {
        Failures = failures;
    }

    /// <summary>One entry per backend tried, in chain order.</summary>
    public IReadOnlyList<BackendFailure> Failures { get; } = [];

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
