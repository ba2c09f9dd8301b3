using System.Globalization;

namespace StoryEngine.Providers.Configuration;

/// <summary>
/// Checks settings however they were made (configuration or code). Every message names the configuration
/// key to change, because the person reading it is editing appsettings.json or an environment variable.
/// </summary>
public static class ProvidersSettingsValidator
{
    public const int MinContextTokens = 256;
    public const int MaxRetriesLimit = 10;

    public static IReadOnlyList<string> Validate(ProvidersSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<string>();
        if (settings.Backends.Count == 0)
        {
            errors.Add(
                "Backends must configure at least one backend, e.g. Backends:local:Kind=ollama, "
                    + "Backends:local:Model=llama3.2."
            );
        }
        foreach (
            var duplicate in settings
                .Backends.GroupBy(b => b.Name, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1)
        )
        {
            errors.Add($"Backends:{duplicate.Key} is configured more than once.");
        }
        foreach (var backend in settings.Backends)
        {
            ValidateBackend(backend, errors);
        }
        ValidateNarrator(settings, errors);
        return errors;
    }

    private static void ValidateBackend(BackendOptions backend, List<string> errors)
    {
        var prefix = $"{ProvidersConfiguration.BackendsSection}:{backend.Name}";
        if (string.IsNullOrWhiteSpace(backend.Name))
        {
            errors.Add("Backends has a backend without a name.");
        }
        var kind = BackendKinds.Normalize(backend.Kind);
        if (string.IsNullOrWhiteSpace(backend.Kind))
        {
            errors.Add($"{prefix}:Kind is required (one of {string.Join(", ", BackendKinds.All)}).");
        }
        else if (kind is null)
        {
            errors.Add($"{prefix}:Kind must be one of {string.Join(", ", BackendKinds.All)} (got '{backend.Kind}').");
        }

        if (
            !Uri.TryCreate(backend.BaseUrl, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        )
        {
            errors.Add($"{prefix}:BaseUrl must be an absolute http:// or https:// URL (got '{backend.BaseUrl}').");
        }
        if (string.IsNullOrWhiteSpace(backend.Model))
        {
            errors.Add($"{prefix}:Model is required: the model name the server knows (e.g. llama3.2).");
        }
        if (backend.MaxConcurrency < 0 || backend.MaxQueue < 0 || backend.InteractiveReserve < 0)
        {
            errors.Add(
                $"{prefix}:MaxConcurrency, {prefix}:MaxQueue and {prefix}:InteractiveReserve must be 0 or more (got "
                    + $"{backend.MaxConcurrency}, {backend.MaxQueue} and {backend.InteractiveReserve})."
            );
        }
        if (backend.ContextTokens < MinContextTokens)
        {
            errors.Add($"{prefix}:ContextTokens must be at least {MinContextTokens} (got {backend.ContextTokens}).");
        }
        if (backend.TimeoutSeconds is { } timeout && !(timeout > 0))
        {
            errors.Add($"{prefix}:TimeoutSeconds must be greater than 0 when set (got {Format(timeout)}).");
        }
        if (kind == BackendKinds.Anthropic && string.IsNullOrWhiteSpace(backend.ApiKey))
        {
            errors.Add(
                $"{prefix}:ApiKey is required for kind anthropic (set it with the environment variable "
                    + $"Backends__{backend.Name}__ApiKey)."
            );
        }
        else if (
            kind == BackendKinds.OpenAI
            && uri is not null
            && uri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(backend.ApiKey)
        )
        {
            errors.Add(
                $"{prefix}:ApiKey is required for api.openai.com (set it with the environment variable "
                    + $"Backends__{backend.Name}__ApiKey)."
            );
        }
    }

    private static void ValidateNarrator(ProvidersSettings settings, List<string> errors)
    {
        var narrator = settings.Narrator;
        var known = string.Join(", ", settings.Backends.Select(b => b.Name));
        if (narrator.Backends.Count == 0)
        {
            errors.Add(
                "Narrator:Backends must list at least one configured backend, in fallback order "
                    + $"(configured: {known})."
            );
        }
        CheckNames("Narrator:Backends", narrator.Backends, settings, known, errors);
        CheckNames("Narrator:UtilityBackends", narrator.UtilityBackends, settings, known, errors);

        if (!(narrator.FirstTokenTimeoutSeconds > 0))
        {
            errors.Add(
                "Narrator:FirstTokenTimeoutSeconds must be greater than 0 (got "
                    + $"{Format(narrator.FirstTokenTimeoutSeconds)})."
            );
        }
        if (!(narrator.IdleTimeoutSeconds > 0))
        {
            errors.Add(
                "Narrator:IdleTimeoutSeconds must be greater than 0 (got " + $"{Format(narrator.IdleTimeoutSeconds)})."
            );
        }
        if (narrator.MaxRetries is < 0 or > MaxRetriesLimit)
        {
            errors.Add($"Narrator:MaxRetries must be between 0 and {MaxRetriesLimit} (got {narrator.MaxRetries}).");
        }
        if (narrator.RetryBaseDelayMilliseconds is < 0 or > 60_000)
        {
            errors.Add(
                "Narrator:RetryBaseDelayMilliseconds must be between 0 and 60000 (got "
                    + $"{narrator.RetryBaseDelayMilliseconds})."
            );
        }
        ValidateBreaker(narrator, errors);
    }

    // The limits are Polly's own (CircuitBreakerStrategyOptions): it refuses a ratio outside (0, 1], fewer than two
    // calls, and a window or break under 0.5 s. Checked here so the message names the key instead of Polly's property.
    private static void ValidateBreaker(NarratorOptions narrator, List<string> errors)
    {
        if (!(narrator.CircuitBreakerFailureRatio is > 0 and <= 1))
        {
            errors.Add(
                "Narrator:CircuitBreakerFailureRatio must be greater than 0 and at most 1 "
                    + $"(got {Format(narrator.CircuitBreakerFailureRatio)})."
            );
        }
        if (narrator.CircuitBreakerMinimumThroughput < 2)
        {
            errors.Add(
                "Narrator:CircuitBreakerMinimumThroughput must be at least 2 "
                    + $"(got {narrator.CircuitBreakerMinimumThroughput})."
            );
        }
        if (!(narrator.CircuitBreakerSamplingSeconds is >= 0.5 and <= 86_400))
        {
            errors.Add(
                "Narrator:CircuitBreakerSamplingSeconds must be between 0.5 and 86400 "
                    + $"(got {Format(narrator.CircuitBreakerSamplingSeconds)})."
            );
        }
        if (!(narrator.CircuitBreakerBreakSeconds is >= 0.5 and <= 86_400))
        {
            errors.Add(
                "Narrator:CircuitBreakerBreakSeconds must be between 0.5 and 86400 "
                    + $"(got {Format(narrator.CircuitBreakerBreakSeconds)})."
            );
        }
    }

    private static void CheckNames(
        string key,
        IList<string> names,
        ProvidersSettings settings,
        string known,
        List<string> errors
    )
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (settings.Find(name) is null)
            {
                errors.Add($"{key} names '{name}', which is not configured under Backends (configured: {known}).");
            }
            else if (!seen.Add(name))
            {
                errors.Add($"{key} names '{name}' more than once.");
            }
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
