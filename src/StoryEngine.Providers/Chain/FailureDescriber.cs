using System.Globalization;
using Polly.CircuitBreaker;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// Turns an exception from a backend into words for the person running the server: what happened and what
/// to start or configure, naming the configuration key. These sentences end up in
/// <see cref="BackendUnavailableException"/>, in /health and in `storyengine status`.
/// </summary>
internal static class FailureDescriber
{
    public static BackendFailure Describe(
        Exception exception,
        BackendOptions backend,
        NarratorOptions narrator,
        string? previousError
    )
    {
        var (reason, hint) = Explain(exception, backend, narrator, previousError);
        return new BackendFailure(backend.Name, backend.Kind, backend.BaseUrl, backend.Model, reason, hint, exception);
    }

    private static (string Reason, string Hint) Explain(
        Exception exception,
        BackendOptions backend,
        NarratorOptions narrator,
        string? previousError
    )
    {
        var key = $"{ProvidersConfiguration.BackendsSection}:{backend.Name}";
        var detail = ChatTranscript.Truncate(exception.Message, 200);
        if (exception is BrokenCircuitException)
        {
            var seconds = narrator.CircuitBreakerBreakSeconds.ToString(CultureInfo.InvariantCulture);
            return (
                $"failed repeatedly and is paused for up to {seconds} s (circuit open)"
                    + (previousError is null ? "" : "; last error: " + previousError),
                "It is tried again automatically after the pause."
            );
        }
        if (FailureClassifier.Chain(exception).OfType<BackendTimeoutException>().FirstOrDefault() is { } timeout)
        {
            return (
                timeout.Message,
                "Check that the server is up and has the model loaded (a cold start of a large model takes a "
                    + "while), or raise Narrator:FirstTokenTimeoutSeconds / Narrator:IdleTimeoutSeconds."
            );
        }
        if (FailureClassifier.StatusCode(exception) is { } status)
        {
            return status switch
            {
                401 or 403 => ($"rejected the API key (HTTP {status})", $"Check {key}:ApiKey."),
                404 => (
                    $"does not know the model '{backend.Model}' (HTTP 404)",
                    backend.Kind == BackendKinds.Ollama
                        ? $"Pull it with `ollama pull {backend.Model}` or change {key}:Model."
                        : $"Change {key}:Model, or {key}:BaseUrl if the path is wrong"
                            + (
                                backend.Kind == BackendKinds.OpenAI
                                    ? " (OpenAI-compatible servers usually end in /v1)."
                                    : "."
                            )
                ),
                429 => (
                    "is rate-limiting requests (HTTP 429)",
                    "Wait a little, or add another backend to " + "Narrator:Backends as a fallback."
                ),
                >= 500 => (
                    $"failed with HTTP {status}: {detail}",
                    "Check the server's log; it may be overloaded or " + "restarting."
                ),
                _ => ($"answered HTTP {status}: {detail}", $"Check {key}:BaseUrl and {key}:Kind."),
            };
        }
        if (FailureClassifier.IsConnectionRefused(exception))
        {
            return (
                "refused the connection",
                backend.Kind switch
                {
                    BackendKinds.Ollama => $"Start Ollama (`ollama serve`) or fix {key}:BaseUrl.",
                    BackendKinds.OpenAI => $"Start the server, or fix {key}:BaseUrl.",
                    _ => $"Check the network, or {key}:BaseUrl.",
                }
            );
        }
        if (FailureClassifier.IsNameResolutionFailure(exception))
        {
            return ("could not be found (the host name does not resolve)", $"Fix {key}:BaseUrl.");
        }
        if (FailureClassifier.IsTransportFailure(exception))
        {
            return ($"could not be reached: {detail}", $"Check that the server is running and {key}:BaseUrl is right.");
        }
        if (FailureClassifier.Chain(exception).Any(e => e is global::Anthropic.Exceptions.AnthropicSseException))
        {
            return (
                "reported an error in its stream: " + $"{detail}",
                "It is usually overloaded for a moment; add " + "another backend to Narrator:Backends as a fallback."
            );
        }
        if (exception is BackendProtocolException)
        {
            return (
                $"answered with something unusable: {detail}",
                $"Check that {key}:Kind matches the server (OpenAI-compatible servers need Kind openai and a "
                    + "BaseUrl ending in /v1; Ollama's own API needs Kind ollama)."
            );
        }
        return ($"failed: {detail}", $"Check the {key} settings.");
    }
}
