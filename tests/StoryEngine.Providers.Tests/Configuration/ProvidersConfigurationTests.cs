using Microsoft.Extensions.Configuration;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Tests.Configuration;

public sealed class ProvidersConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
            .Build();

    [Fact]
    public void defaults_to_a_local_ollama_with_llama3_2_when_nothing_is_configured()
    {
        var settings = ProvidersConfiguration.Read(Config());

        var backend = Assert.Single(settings.Backends);
        Assert.Equal(
            ("ollama", "ollama", "http://127.0.0.1:11434", "llama3.2", 8192),
            (backend.Name, backend.Kind, backend.BaseUrl, backend.Model, backend.ContextTokens)
        );
        Assert.Equal(["ollama"], settings.Narrator.Backends);
        Assert.Equal(30, settings.Narrator.FirstTokenTimeoutSeconds);
        Assert.Equal(30, settings.Narrator.IdleTimeoutSeconds);
        Assert.Equal(2, settings.Narrator.MaxRetries);
        Assert.Equal(["ollama"], settings.Narrator.EffectiveUtilityBackends);
    }

    [Fact]
    public void reads_named_backends_and_the_narrator_chain_from_environment_variables()
    {
        // Backends__local__Kind=ollama and friends, as an operator would export them.
        var environment = new Dictionary<string, string?>
        {
            ["Backends__local__Kind"] = "Ollama",
            ["Backends__local__Model"] = "mistral-nemo",
            ["Backends__local__ContextTokens"] = "16384",
            ["Backends__cloud__Kind"] = "anthropic",
            ["Backends__cloud__Model"] = "claude-test",
            ["Backends__cloud__ApiKey"] = "sk-ant-env",
            ["Backends__cloud__TimeoutSeconds"] = "120",
            ["Narrator__Backends"] = "local, cloud",
            ["Narrator__UtilityBackends__0"] = "local",
            ["Narrator__FirstTokenTimeoutSeconds"] = "45",
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                environment.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value)
            )
            .Build();

        var settings = ProvidersConfiguration.Read(configuration);

        var local = settings.Find("local")!;
        Assert.Equal(
            ("ollama", "http://127.0.0.1:11434", "mistral-nemo", 16384),
            (local.Kind, local.BaseUrl, local.Model, local.ContextTokens)
        );
        var cloud = settings.Find("cloud")!;
        Assert.Equal(
            ("anthropic", "https://api.anthropic.com", "sk-ant-env", 120d),
            (cloud.Kind, cloud.BaseUrl, cloud.ApiKey, cloud.TimeoutSeconds)
        );
        Assert.Equal(["local", "cloud"], settings.Narrator.Backends);
        Assert.Equal(["local"], settings.Narrator.UtilityBackends);
        Assert.Equal(45, settings.Narrator.FirstTokenTimeoutSeconds);
    }

    [Fact]
    public void a_single_configured_backend_becomes_the_narrator_chain()
    {
        var settings = ProvidersConfiguration.Read(
            Config(
                ("Backends:gpu:Kind", "openai"),
                ("Backends:gpu:BaseUrl", "http://10.0.0.5:8000/v1"),
                ("Backends:gpu:Model", "qwen")
            )
        );

        Assert.Equal(["gpu"], settings.Narrator.Backends);
    }

    [Fact]
    public void rejects_an_unknown_kind_naming_the_key_and_the_value()
    {
        var error = Assert.Throws<ProvidersConfigurationException>(() =>
            ProvidersConfiguration.Read(Config(("Backends:local:Kind", "foo"), ("Backends:local:Model", "m")))
        );

        Assert.Contains("Backends:local:Kind must be one of openai, ollama, anthropic (got 'foo').", error.Errors);
    }

    [Fact]
    public void rejects_a_narrator_backend_that_is_not_configured()
    {
        var error = Assert.Throws<ProvidersConfigurationException>(() =>
            ProvidersConfiguration.Read(
                Config(
                    ("Backends:local:Kind", "ollama"),
                    ("Backends:local:Model", "m"),
                    ("Narrator:Backends:0", "local"),
                    ("Narrator:Backends:1", "x")
                )
            )
        );

        var message = Assert.Single(error.Errors);
        Assert.StartsWith(
            "Narrator:Backends names 'x', which is not configured under " + "Backends",
            message,
            StringComparison.Ordinal
        );
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void reports_every_problem_at_once_each_with_its_key()
    {
        var error = Assert.Throws<ProvidersConfigurationException>(() =>
            ProvidersConfiguration.Read(
                Config(
                    ("Backends:a:Kind", "openai"),
                    ("Backends:a:BaseUrl", "localhost:8080"),
                    ("Backends:a:ContextTokens", "lots"),
                    ("Backends:b:Kind", "anthropic"),
                    ("Backends:b:Model", "claude-test"),
                    ("Narrator:IdleTimeoutSeconds", "0"),
                    ("Narrator:MaxRetries", "-1")
                )
            )
        );

        Assert.Equal(
            [
                "Backends:a:ContextTokens must be a whole number (got 'lots').",
                "Backends:a:BaseUrl must be an absolute http:// or https:// URL (got 'localhost:8080').",
                "Backends:a:Model is required: the model name the server knows (e.g. llama3.2).",
                "Backends:b:ApiKey is required for kind anthropic (set it with the environment variable "
                    + "Backends__b__ApiKey).",
                "Narrator:Backends must list at least one configured backend, in fallback order (configured: a, b).",
                "Narrator:IdleTimeoutSeconds must be greater than 0 (got 0).",
                "Narrator:MaxRetries must be between 0 and 10 (got -1).",
            ],
            error.Errors
        );
    }

    [Fact]
    public void circuit_breaker_thresholds_are_read_and_checked_against_pollys_limits()
    {
        var read = ProvidersConfiguration
            .Read(
                Config(
                    ("Narrator:CircuitBreakerFailureRatio", "0.25"),
                    ("Narrator:CircuitBreakerMinimumThroughput", "50"),
                    ("Narrator:CircuitBreakerSamplingSeconds", "60"),
                    ("Narrator:CircuitBreakerBreakSeconds", "5")
                )
            )
            .Narrator;
        Assert.Equal(
            (0.25, 50, 60.0, 5.0),
            (
                read.CircuitBreakerFailureRatio,
                read.CircuitBreakerMinimumThroughput,
                read.CircuitBreakerSamplingSeconds,
                read.CircuitBreakerBreakSeconds
            )
        );
        var defaults = ProvidersConfiguration.Read(Config()).Narrator;
        Assert.Equal(
            (0.5, 20, 30.0, 15.0),
            (
                defaults.CircuitBreakerFailureRatio,
                defaults.CircuitBreakerMinimumThroughput,
                defaults.CircuitBreakerSamplingSeconds,
                defaults.CircuitBreakerBreakSeconds
            )
        );

        var error = Assert.Throws<ProvidersConfigurationException>(() =>
            ProvidersConfiguration.Read(
                Config(
                    ("Narrator:CircuitBreakerFailureRatio", "1.5"),
                    ("Narrator:CircuitBreakerMinimumThroughput", "1"),
                    ("Narrator:CircuitBreakerSamplingSeconds", "0.1"),
                    ("Narrator:CircuitBreakerBreakSeconds", "0")
                )
            )
        );
        Assert.Equal(
            [
                "Narrator:CircuitBreakerFailureRatio must be greater than 0 and at most 1 (got 1.5).",
                "Narrator:CircuitBreakerMinimumThroughput must be at least 2 (got 1).",
                "Narrator:CircuitBreakerSamplingSeconds must be between 0.5 and 86400 (got 0.1).",
                "Narrator:CircuitBreakerBreakSeconds must be between 0.5 and 86400 (got 0).",
            ],
            error.Errors
        );
    }

    [Fact]
    public void backend_options_never_print_the_api_key()
    {
        var backend = new BackendOptions
        {
            Name = "cloud",
            Kind = "anthropic",
            BaseUrl = "https://api.anthropic.com",
            Model = "claude-test",
            ApiKey = "sk-ant-very-secret",
        };

        Assert.DoesNotContain("sk-ant-very-secret", backend.ToString(), StringComparison.Ordinal);
    }
}
