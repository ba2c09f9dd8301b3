using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Dice;
using StoryEngine.Core.Tabletop.Rules;

namespace StoryEngine.Server.Hosting;

public static partial class TabletopServiceCollectionExtensions
{
    /// <summary>Tabletop play (issue 23; docs/tabletop.md): the rules systems (a rules folder's files are checked at
    /// start, the built-in SRD is parsed on first use), the dice,
    /// the table's fold and service.</summary>
    public static IServiceCollection AddTabletop(this IServiceCollection services)
    {
        services
            .AddOptions<TabletopOptions>()
            .BindConfiguration(TabletopOptions.Section)
            .Validate(
                o => o.RulesMaxAgeSeconds is >= 0 and <= 31_536_000,
                "Tabletop:RulesMaxAgeSeconds must be from 0 to 31536000."
            )
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TabletopOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<RulesCatalog>();
            return new RulesCatalog(sp.GetRequiredService<TabletopOptions>(), system =>
                LogRulesLoaded(logger, system.Id, system.Name, system.License)
            );
        });
        // The folder's files are checked at start (a bad one stops it); the built-in SRD waits for its first use.
        services.AddHostedService<RulesFolderCheck>();
        services.AddSingleton<IDiceSource>(CryptoDiceSource.Instance);
        services.AddSingleton(sp => new DiceRoller(sp.GetRequiredService<IDiceSource>()));
        services.AddSingleton<TabletopCache>();
        services.AddSingleton<TabletopService>();
        services.AddSingleton<TabletopCombat>();
        // The roll and request_check tools are in StoryTools.All() with the others (AddAgents registers them).
        return services;
    }

    [LoggerMessage(
        EventId = LogEvents.Tabletop.RulesLoaded,
        Level = LogLevel.Information,
        Message = "Rules system {System} loaded: {Name} ({License})"
    )]
    private static partial void LogRulesLoaded(ILogger logger, string system, string name, string license);

    /// <summary>Builds the rules catalogue at start when <c>Tabletop:RulesDirectory</c> is set, so a bad file stops
    /// the start rather than the first tabletop turn; without one there is nothing to check.</summary>
    private sealed class RulesFolderCheck(TabletopOptions options, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.RulesDirectory is { Length: > 0 })
            {
                services.GetRequiredService<RulesCatalog>();
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
