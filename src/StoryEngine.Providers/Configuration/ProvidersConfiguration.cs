using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace StoryEngine.Providers.Configuration;

/// <summary>
/// Reads <c>Backends:{name}:{Key}</c> and <c>Narrator:{Key}</c> from configuration, fills in the defaults and
/// validates the result. Read by hand rather than with the binder so that a value like
/// <c>ContextTokens=lots</c> gets a message naming its key instead of a generic conversion error.
/// </summary>
public static class ProvidersConfiguration
{
    public const string BackendsSection = "Backends";
    public const string NarratorSection = "Narrator";
    public const string DefaultBackendName = "ollama";
    public const string DefaultOllamaModel = "llama3.2";
    public const int DefaultContextTokens = 8192;

    /// <summary>The settings, or a <see cref="ProvidersConfigurationException"/> listing every problem.</summary>
    public static ProvidersSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var settings = Parse(configuration, errors);
        errors.AddRange(ProvidersSettingsValidator.Validate(settings));
        return errors.Count == 0 ? settings : throw new ProvidersConfigurationException(errors);
    }

    /// <summary>What runs when nothing is configured: a local Ollama with llama3.2.</summary>
    public static ProvidersSettings CreateDefault() =>
        new()
        {
            Backends = [DefaultBackend()],
            Narrator = new NarratorOptions { Backends = [DefaultBackendName] },
        };

    private static BackendOptions DefaultBackend() =>
        new()
        {
            Name = DefaultBackendName,
            Kind = BackendKinds.Ollama,
            BaseUrl = BackendKinds.DefaultBaseUrl(BackendKinds.Ollama),
            Model = DefaultOllamaModel,
            ContextTokens = DefaultContextTokens,
        };

    private static ProvidersSettings Parse(IConfiguration configuration, List<string> errors)
    {
        var backends = configuration
            .GetSection(BackendsSection)
            .GetChildren()
            .Select(section => ParseBackend(section, errors))
            .ToList();
        if (backends.Count == 0)
        {
            backends.Add(DefaultBackend());
        }

        var narrator = ParseNarrator(configuration.GetSection(NarratorSection), errors);
        if (narrator.Backends.Count == 0 && backends.Count == 1)
        {
            // One backend needs no chain spelled out; with several the order is the operator's call.
            narrator.Backends.Add(backends[0].Name);
        }
        return new ProvidersSettings { Backends = backends, Narrator = narrator };
    }

    private static BackendOptions ParseBackend(IConfigurationSection section, List<string> errors)
    {
        var prefix = $"{BackendsSection}:{section.Key}";
        var rawKind = section["Kind"];
        var kind = BackendKinds.Normalize(rawKind);
        var baseUrl = section["BaseUrl"]?.Trim();
        return new BackendOptions
        {
            Name = section.Key,
            // An unknown kind is kept as written so the validator can quote it back.
            Kind = kind ?? rawKind?.Trim() ?? "",
            BaseUrl =
                string.IsNullOrEmpty(baseUrl) && kind is not null ? BackendKinds.DefaultBaseUrl(kind) : baseUrl ?? "",
            ApiKey = string.IsNullOrWhiteSpace(section["ApiKey"]) ? null : section["ApiKey"]!.Trim(),
            Model = section["Model"]?.Trim() ?? "",
            ContextTokens = ReadInt(section, "ContextTokens", prefix, errors) ?? DefaultContextTokens,
            TimeoutSeconds = ReadDouble(section, "TimeoutSeconds", prefix, errors),
            MaxConcurrency = ReadInt(section, "MaxConcurrency", prefix, errors) ?? 0,
            MaxQueue = ReadInt(section, "MaxQueue", prefix, errors) ?? 100,
            InteractiveReserve = ReadInt(section, "InteractiveReserve", prefix, errors) ?? 1,
            Tools = ReadBool(section, "Tools", prefix, errors) ?? false,
        };
    }

    private static bool? ReadBool(IConfigurationSection section, string key, string prefix, List<string> errors)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        if (bool.TryParse(raw.Trim(), out var value))
        {
            return value;
        }
        errors.Add($"{prefix}:{key} must be true or false (got '{raw}').");
        return null;
    }

    private static NarratorOptions ParseNarrator(IConfigurationSection section, List<string> errors)
    {
        var options = new NarratorOptions
        {
            Backends = ReadList(section.GetSection("Backends")),
            UtilityBackends = ReadList(section.GetSection("UtilityBackends")),
        };
        options.FirstTokenTimeoutSeconds = ReadDouble(section, "FirstTokenTimeoutSeconds", NarratorSection, errors)
            ?? options.FirstTokenTimeoutSeconds;
        options.IdleTimeoutSeconds = ReadDouble(section, "IdleTimeoutSeconds", NarratorSection, errors)
            ?? options.IdleTimeoutSeconds;
        options.MaxRetries = ReadInt(section, "MaxRetries", NarratorSection, errors) ?? options.MaxRetries;
        options.RetryBaseDelayMilliseconds = ReadInt(section, "RetryBaseDelayMilliseconds", NarratorSection, errors)
            ?? options.RetryBaseDelayMilliseconds;
        options.CircuitBreakerFailureRatio = ReadDouble(section, "CircuitBreakerFailureRatio", NarratorSection, errors)
            ?? options.CircuitBreakerFailureRatio;
        options.CircuitBreakerMinimumThroughput = ReadInt(
            section,
            "CircuitBreakerMinimumThroughput",
            NarratorSection,
            errors
        ) ?? options.CircuitBreakerMinimumThroughput;
        options.CircuitBreakerSamplingSeconds = ReadDouble(
            section,
            "CircuitBreakerSamplingSeconds",
            NarratorSection,
            errors
        ) ?? options.CircuitBreakerSamplingSeconds;
        options.CircuitBreakerBreakSeconds = ReadDouble(section, "CircuitBreakerBreakSeconds", NarratorSection, errors)
            ?? options.CircuitBreakerBreakSeconds;
        options.MaxToolCalls = ReadInt(section, "MaxToolCalls", NarratorSection, errors) ?? options.MaxToolCalls;
        options.ToolTimeBudgetSeconds = ReadDouble(section, "ToolTimeBudgetSeconds", NarratorSection, errors)
            ?? options.ToolTimeBudgetSeconds;
        if (options.MaxToolCalls is < 0 or > 20)
        {
            errors.Add($"{NarratorSection}:MaxToolCalls must be from 0 to 20 (got {options.MaxToolCalls}).");
        }
        if (options.ToolTimeBudgetSeconds is <= 0 or > 300)
        {
            errors.Add(
                $"{NarratorSection}:ToolTimeBudgetSeconds must be above 0 and at most 300 (got "
                    + $"{options.ToolTimeBudgetSeconds})."
            );
        }
        return options;
    }

    /// <summary>A list given either as an array (<c>Narrator:Backends:0</c>) or, handier in an environment
    /// variable, as one comma-separated value (<c>Narrator__Backends=local,cloud</c>).</summary>
    private static List<string> ReadList(IConfigurationSection section)
    {
        var items = section.Value is { } single
            ? single.Split(',')
            : section
                .GetChildren()
                .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
                .Select(c => c.Value ?? "");
        return items.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private static int? ReadInt(IConfigurationSection section, string key, string prefix, List<string> errors)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add($"{prefix}:{key} must be a whole number (got '{raw}').");
        return null;
    }

    private static double? ReadDouble(IConfigurationSection section, string key, string prefix, List<string> errors)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        if (double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add($"{prefix}:{key} must be a number of seconds (got '{raw}').");
        return null;
    }
}
