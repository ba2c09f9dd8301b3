using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

public sealed class BackendFactoryTests
{
    [Fact]
    public async Task builds_the_narrator_chain_from_configuration_and_streams_through_it()
    {
        await using var ollama = await FakeBackend.StartAsync(Dialect.Ollama, Scenarios.Status(500));
        await using var vllm = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Answer("From ", "the ", "GPU."));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    ["Backends:local:Kind"] = "ollama",
                    ["Backends:local:BaseUrl"] = ollama.BaseUrl,
                    ["Backends:local:Model"] = Scenarios.Model,
                    ["Backends:gpu:Kind"] = "openai",
                    ["Backends:gpu:BaseUrl"] = vllm.BaseUrl,
                    ["Backends:gpu:Model"] = Scenarios.Model,
                    ["Backends:gpu:ApiKey"] = "sk-gpu",
                    ["Narrator:Backends"] = "local,gpu",
                    ["Narrator:UtilityBackends"] = "gpu",
                    ["Narrator:MaxRetries"] = "0",
                }
            )
            .Build();
        using var factory = new BackendFactory(ProvidersConfiguration.Read(configuration));
        using var narrator = factory.CreateNarratorChain();
        using var utility = factory.CreateUtilityChain();

        var (updates, error) = await Clients.DrainAsync(narrator.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("From the GPU.", Clients.Text(updates));
        Assert.Equal("gpu", ChainHarness.BackendOf(updates[^1]));
        Assert.Equal(["local", "gpu"], narrator.Status.Select(s => s.Name));
        Assert.Equal(["gpu"], utility.Status.Select(s => s.Name));
        Assert.Same(factory.GetClient("gpu"), factory.GetClient("GPU"));
    }

    [Fact]
    public void refuses_invalid_settings_with_the_validators_messages()
    {
        var settings = ProvidersConfiguration.CreateDefault();
        settings.Narrator.Backends.Add("nowhere");

        var error = Assert.Throws<ProvidersConfigurationException>(() => new BackendFactory(settings));

        Assert.Contains(error.Errors, e => e.StartsWith("Narrator:Backends names 'nowhere'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task logs_retries_and_fallbacks_without_api_keys_or_prompts()
    {
        await using var failing = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Status(500));
        await using var working = await FakeBackend.StartAsync(Dialect.Anthropic);
        var settings = new ProvidersSettings
        {
            Backends =
            [
                failing.Options("first", apiKey: "sk-first-secret"),
                working.Options("second", apiKey: "sk-ant-second-secret"),
            ],
            Narrator = ChainHarness.Narrator(maxRetries: 1),
        };
        settings.Narrator.Backends = ["first", "second"];
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        using var factory = new BackendFactory(settings, loggerFactory: loggerFactory);
        using var chain = factory.CreateNarratorChain();

        await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Contains(logs.Entries, e =>
            e.EventId.Id == 4101 && e.Message.Contains("first", StringComparison.Ordinal)
        );
        Assert.Contains(logs.Entries, e => e.EventId.Id == 4102);
        Assert.Contains(logs.Entries, e =>
            e.EventId.Id == 4106 && e.Message.Contains("second", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("secret", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("I step inside", StringComparison.Ordinal));
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly List<(EventId EventId, string Message)> _entries = [];

        public IReadOnlyList<(EventId EventId, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return _entries.ToList();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose() { }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel,
                EventId eventId,
                TState state,
                Exception? exception,
                Func<TState, Exception?, string> formatter
            )
            {
                lock (owner._entries)
                {
                    owner._entries.Add((eventId, formatter(state, exception) + " " + exception?.Message));
                }
            }
        }
    }
}
