using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Generation;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;
using StoryEngine.Providers;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Server.Health;
using StoryEngine.Storage.Stories;

namespace StoryEngine.Server.Hosting;

public static class NarratorServiceCollectionExtensions
{
    /// <summary>Model backends (sections <c>Backends</c> and <c>Narrator</c>), the story log and the turn
    /// pipeline.</summary>
    public static IServiceCollection AddNarrator(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
            BackendSecrets.Open(
                ProvidersConfiguration.Read(sp.GetRequiredService<IConfiguration>()),
                sp.GetRequiredService<Core.Secrets.SecretBox>()
            )
        );
        services.AddSingleton(sp => new BackendFactory(
            sp.GetRequiredService<ProvidersSettings>(),
            null,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()
        ));
        services.AddSingleton(sp => sp.GetRequiredService<BackendFactory>().CreateNarratorChain());
        services.AddSingleton<INarrator, ConfiguredNarrator>();

        services.AddSingleton<IAdventureStore, AdventureStore>();
        services.AddSingleton<IStoryLog, StoryLog>();
        services.AddSingleton<StoryWriter>();
        // One per node: its per-model calibration is kept in memory (TokenEstimator's remarks say why that is enough).
        services.AddSingleton<TokenEstimator>();
        services
            .AddOptions<PromptOptions>()
            .BindConfiguration(PromptOptions.Section)
            .Validate(
                o => o.TranscriptLowWaterPercent is >= 10 and <= 100,
                "Narrator:TranscriptLowWaterPercent must be between 10 and 100 (percent of the transcript's budget)."
            )
            .ValidateOnStart();
        services.AddSingleton(sp =>
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PromptOptions>>().Value
        );
        services.AddSingleton<ContextBuilder>();
        services
            .AddOptions<Core.Generation.GenerationDefaults>()
            .BindConfiguration(Core.Generation.GenerationDefaults.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Core.Generation.GenerationDefaults>, GenerationDefaultsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<Core.Generation.GenerationDefaults>>().Value);
        services.AddSingleton<Core.Generation.NarrationGeneration>();
        services.AddSingleton<TurnRegistry>();
        services.AddSingleton<TranscriptCache>();
        services.AddSingleton<NarrationInputs>();
        services.AddSingleton<DraftCheckpoints>();
        services.AddSingleton<OutcomeWriter>();
        services.AddSingleton<TurnService>();
        services.AddSingleton<AdventureService>();
        services.AddSingleton<AdventureSettingsService>();
        services.AddSingleton<ChatImport>();
        // The queue is optional, as for the narration observers: without one an import queues nothing.
        services.AddSingleton(sp => new ImportedChatJobs(
            sp.GetService<Core.Jobs.IJobQueue>(),
            sp.GetRequiredService<Core.Memory.MemoryOptions>(),
            sp.GetRequiredService<Core.Memory.SummaryOptions>()
        ));
        services.AddHostedService<NarrationLifetime>();
        services.AddHostedService<Jobs.DeferredWritesService>();
        services.AddHealthChecks().AddCheck<BackendsHealthCheck>("backends");
        return services;
    }
}

/// <summary>The narrator is the configured chain; the prompt budget comes from the first backend in it.</summary>
public sealed class ConfiguredNarrator(BackendChain chain, ProvidersSettings settings) : INarrator
{
    public IChatClient Client => chain;

    public NarratorSettings Settings { get; } = Create(settings);

    public bool IsFull(string priority) =>
        chain.IsFull(
            priority switch
            {
                NarrationPriority.Interactive => Providers.Gateway.ModelPriority.Interactive,
                NarrationPriority.Retry => Providers.Gateway.ModelPriority.Retry,
                _ => Providers.Gateway.ModelPriority.Background,
            }
        );

    /// <summary>Per backend of the narrator's chain, the set settings it cannot take (GenerationSupport).</summary>
    public IReadOnlyList<UnsupportedSetting> Unsupported(GenerationSettings generation)
    {
        var set = generation.Values();
        return settings
            .Narrator.Backends.Select(settings.Find)
            .OfType<BackendOptions>()
            .SelectMany(b =>
                GenerationSupport.Unsupported(b).Where(set.ContainsKey).Select(s => new UnsupportedSetting(b.Name, s))
            )
            .ToArray();
    }

    private static NarratorSettings Create(ProvidersSettings settings)
    {
        var first = settings.Narrator.Backends.Select(settings.Find).FirstOrDefault(b => b is not null);
        var context = first?.ContextTokens ?? ProvidersConfiguration.DefaultContextTokens;
        // A quarter of the window for the reply, at most 1,024 tokens: story replies are a few paragraphs.
        // Tools only when every backend of the chain takes them: a fallback that does not must not be sent any.
        var chain = settings.Narrator.Backends.Select(settings.Find).ToArray();
        var tools = chain.Length > 0 && chain.All(b => b is { Tools: true });
        return new NarratorSettings(context, Math.Min(1024, context / 4), first?.Model)
        {
            MaxToolCalls = tools ? settings.Narrator.MaxToolCalls : 0,
            ToolTimeBudget = TimeSpan.FromSeconds(settings.Narrator.ToolTimeBudgetSeconds),
        };
    }
}

/// <summary>
/// At start, marks narrations a crash cut off as interrupted; at shutdown, stops and records any still in flight
/// (the drain, <see cref="DrainLifetime"/>, has given them their time already).
/// </summary>
public sealed partial class NarrationLifetime(
    TurnService turns,
    DraftCheckpoints drafts,
    ILogger<NarrationLifetime> logger
) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _checkpoints = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _checkpoints = drafts.RunAsync(_stopping.Token);
        try
        {
            var recovered = await turns.RecoverInterruptedAsync(cancellationToken);
            if (recovered > 0)
            {
                LogRecovered(logger, recovered);
            }
        }
        catch (System.Data.Common.DbException e)
        {
            // The database may be down at start; /health/ready says so and the next start tries again.
            LogRecoveryFailed(logger, e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await turns.ShutdownAsync(TimeSpan.Zero, cancellationToken);
        await _stopping.CancelAsync();
        await _checkpoints;
    }

    [LoggerMessage(
        EventId = LogEvents.Narration.InterruptedMarkedAtStart,
        Level = LogLevel.Warning,
        Message = "Marked {Count} narrations interrupted by the last stop"
    )]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(
        EventId = LogEvents.Narration.RecoveryAtStartFailed,
        Level = LogLevel.Warning,
        Message = "Could not check for interrupted narrations at start"
    )]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);
}
