using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Providers.Anthropic;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Embeddings;
using StoryEngine.Providers.Ollama;
using StoryEngine.Providers.OpenAI;

namespace StoryEngine.Providers;

/// <summary>
/// Builds the adapters and chains from validated settings. Owns the HTTP plumbing: one shared handler (so
/// connections are pooled) under every adapter's HttpClient, each with an infinite Timeout because the chain's
/// first-token and idle timeouts, not a wall clock, decide when a story stream has stalled.
/// Register it as a singleton; dispose it at shutdown.
/// </summary>
public sealed class BackendFactory : IDisposable
{
    private readonly HttpMessageHandler _handler;
    private readonly bool _ownsHandler;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentBag<IDisposable> _embeddingGenerators = [];
    private readonly ConcurrentDictionary<string, Gateway.BackendGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="settings">Validated here; invalid settings throw <see
    /// cref="ProvidersConfigurationException"/>.</param>
    /// <param name="handler">The HTTP handler to send through (tests inject one); not disposed by the factory.
    /// When null the factory makes and owns a pooled <see cref="SocketsHttpHandler"/>.</param>
    public BackendFactory(
        ProvidersSettings settings,
        HttpMessageHandler? handler = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null
    )
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = ProvidersSettingsValidator.Validate(settings);
        if (errors.Count > 0)
        {
            throw new ProvidersConfigurationException(errors);
        }
        Settings = settings;
        _ownsHandler = handler is null;
        _handler = handler
            ?? new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // An unroutable BaseUrl should fail fast and fall back, not eat the whole first-token timeout.
                ConnectTimeout = TimeSpan.FromSeconds(10),
            };
        _loggerFactory = loggerFactory;
        _time = timeProvider ?? TimeProvider.System;
    }

    public ProvidersSettings Settings { get; }

    /// <summary>The adapter for one backend kind, sending through <paramref name="handler"/> (not disposed by the
    /// adapter). Its HttpClient has no wall-clock timeout: the chain times streams itself.</summary>
    public static IChatClient CreateClient(BackendOptions backend, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return BackendKinds.Normalize(backend.Kind) switch
        {
            BackendKinds.OpenAI => new OpenAICompatibleChatClient(handler, backend),
            BackendKinds.Ollama => new OllamaChatClient(handler, backend),
            BackendKinds.Anthropic => new AnthropicChatClient(handler, backend),
            _ => throw new ProvidersConfigurationException(
                $"Backends:{backend.Name}:Kind must be one of {string.Join(", ", BackendKinds.All)} "
                    + $"(got '{backend.Kind}')."
            ),
        };
    }

    /// <summary>The adapter for the named backend, made once and shared by every chain this factory builds.</summary>
    public IChatClient GetClient(string backendName)
    {
        var backend = Settings.Find(backendName)
            ?? throw new ProvidersConfigurationException($"'{backendName}' is not configured under Backends.");
        return _clients.GetOrAdd(backend.Name, _ => CreateClient(backend, _handler));
    }

    /// <summary>The named backend's gate (its concurrency limit and priority queue), one per backend for every chain
    /// this factory builds.</summary>
    public Gateway.BackendGate GetGate(string backendName)
    {
        var backend = Settings.Find(backendName)
            ?? throw new ProvidersConfigurationException($"'{backendName}' is not configured under Backends.");
        return _gates.GetOrAdd(backend.Name, _ => new Gateway.BackendGate(
            backend.Name,
            backend.MaxConcurrency,
            backend.MaxQueue,
            _time,
            backend.InteractiveReserve
        ));
    }

    /// <summary>Every backend's gate made so far.</summary>
    public IReadOnlyCollection<Gateway.BackendGate> Gates => [.. _gates.Values];

    /// <summary>The storytelling chain: Narrator:Backends in order.</summary>
    public BackendChain CreateNarratorChain() => CreateChain(Settings.Narrator.Backends);

    /// <summary>The chain for background work (summaries, state extraction): Narrator:UtilityBackends, or the
    /// narrator's when empty.</summary>
    public BackendChain CreateUtilityChain() => CreateChain(Settings.Narrator.EffectiveUtilityBackends);

    /// <summary>
    /// The embedding adapter for <c>Embeddings:Backend</c>, or null when none is configured. Throws
    /// <see cref="ProvidersConfigurationException"/> naming the key when the backend is unknown, cannot embed, or no
    /// model is given.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(EmbeddingsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Backend))
        {
            return null;
        }
        var backend = Settings.Find(options.Backend.Trim())
            ?? throw new ProvidersConfigurationException(
                $"Embeddings:Backend names '{options.Backend}', which is " + "not configured under Backends."
            );
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ProvidersConfigurationException(
                "Embeddings:Model is required when Embeddings:Backend is set "
                    + "(an embedding model such as nomic-embed-text)."
            );
        }
        if (options.TimeoutSeconds <= 0 || options.BatchSize <= 0)
        {
            throw new ProvidersConfigurationException(
                "Embeddings:TimeoutSeconds and Embeddings:BatchSize must be " + "greater than zero."
            );
        }
        var generator = GuardedEmbeddingGenerator.Create(
            backend,
            options.Model.Trim(),
            TimeSpan.FromSeconds(options.TimeoutSeconds),
            _handler
        )
            ?? throw new ProvidersConfigurationException(
                $"Embeddings:Backend '{backend.Name}' is of kind "
                    + $"{backend.Kind}, "
                    + "which has no embeddings API; use an ollama or openai backend."
            );
        _embeddingGenerators.Add(generator);
        return generator;
    }

    /// <summary>A chain over the named backends, in the given order, under the Narrator timeouts and retry
    /// settings.</summary>
    public BackendChain CreateChain(IEnumerable<string> backendNames)
    {
        ArgumentNullException.ThrowIfNull(backendNames);
        var members = backendNames
            .Select(name =>
            {
                var client = GetClient(name); // throws for a name that is not configured
                return new ChainMember(Settings.Find(name)!, client, GetGate(name));
            })
            .ToList();
        return new BackendChain(members, Settings.Narrator, _loggerFactory?.CreateLogger<BackendChain>(), _time);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        _clients.Clear();
        foreach (var generator in _embeddingGenerators)
        {
            generator.Dispose();
        }
        if (_ownsHandler)
        {
            _handler.Dispose();
        }
    }
}
