using System.Globalization;
using Microsoft.Extensions.Options;
using StoryEngine.Core.DataRights;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Auth;
using StoryEngine.Storage.DataRights;
using StoryEngine.Storage.Usage;

namespace StoryEngine.Server.Hosting;

/// <summary>
/// Tiers, prices and the usage ledger as read from configuration: <c>Usage:DefaultTier</c>,
/// <c>Tiers:{name}:{DailyTokens|MonthlyTokens|ApiPerMinute|GenerationPerMinute}</c> and
/// <c>Prices:{model}:{PromptPerMillion|CompletionPerMillion}</c> (a model name may contain ':').
/// </summary>
public sealed class UsageOptions
{
    public string DefaultTier { get; set; } = TierCatalog.Standard;

    public List<Tier> Tiers { get; } = [];

    public List<ModelPrice> Prices { get; } = [];

    /// <summary>What was wrong with the configuration, each naming its key; reported at start.</summary>
    public List<string> Errors { get; } = [];

    public static void Read(UsageOptions options, IConfiguration configuration)
    {
        options.DefaultTier = configuration["Usage:DefaultTier"] is { Length: > 0 } name ? name : TierCatalog.Standard;
        foreach (var tier in configuration.GetSection("Tiers").GetChildren())
        {
            foreach (
                var key in tier.GetChildren()
                    .Select(k => k.Key)
                    .Except(
                        ["DailyTokens", "MonthlyTokens", "ApiPerMinute", "GenerationPerMinute", "BedtimePerMinute"],
                        StringComparer.OrdinalIgnoreCase
                    )
            )
            {
                options.Errors.Add(
                    $"Tiers:{tier.Key}:{key} is not a tier setting (DailyTokens, MonthlyTokens, "
                        + "ApiPerMinute, GenerationPerMinute, BedtimePerMinute)."
                );
            }
            options.Tiers.Add(
                new Tier(
                    tier.Key,
                    Number(options, tier, "DailyTokens", TierAdministration.MaxQuota),
                    Number(options, tier, "MonthlyTokens", TierAdministration.MaxQuota),
                    (int?)Number(options, tier, "ApiPerMinute", int.MaxValue),
                    (int?)Number(options, tier, "GenerationPerMinute", int.MaxValue),
                    (int?)Number(options, tier, "BedtimePerMinute", int.MaxValue)
                )
            );
        }
        var prices = new Dictionary<string, (decimal? Prompt, decimal? Completion)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, value) in configuration.GetSection("Prices").AsEnumerable(makePathsRelative: true))
        {
            var split = path.LastIndexOf(':');
            if (value is null || split <= 0)
            {
                continue;
            }
            var (model, field) = (path[..split], path[(split + 1)..]);
            if (!decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0)
            {
                options.Errors.Add($"Prices:{path} must be a number of at least 0 (got '{value}').");
                continue;
            }
            var current = prices.GetValueOrDefault(model);
            if (field.Equals("PromptPerMillion", StringComparison.OrdinalIgnoreCase))
            {
                prices[model] = (price, current.Completion);
            }
            else if (field.Equals("CompletionPerMillion", StringComparison.OrdinalIgnoreCase))
            {
                prices[model] = (current.Prompt, price);
            }
            else
            {
                options.Errors.Add($"Prices:{path} is not a price setting (PromptPerMillion, CompletionPerMillion).");
            }
        }
        options.Prices.AddRange(
            prices.Select(p => new ModelPrice(p.Key, p.Value.Prompt ?? 0, p.Value.Completion ?? 0))
        );
    }

    private static long? Number(UsageOptions options, IConfigurationSection tier, string key, long max)
    {
        var text = tier[key];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            && value >= 1
            && value <= max
        )
        {
            return value;
        }
        options.Errors.Add(
            $"Tiers:{tier.Key}:{key} must be a whole number from 1 to {max} (got '{text}'); leave it "
                + "out for no limit."
        );
        return null;
    }
}

public sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}

public static class UsageServiceCollectionExtensions
{
    /// <summary>The usage ledger and meter, tiers and quotas, and the data-rights services (export and
    /// erasure).</summary>
    public static IServiceCollection AddStoryUsage(this IServiceCollection services)
    {
        services.AddOptions<UsageOptions>().Configure<IConfiguration>(UsageOptions.Read).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UsageOptions>>().Value;
            return new TierCatalog(options.Tiers, options.DefaultTier);
        });
        services.AddSingleton(sp => new PriceList(sp.GetRequiredService<IOptions<UsageOptions>>().Value.Prices));
        services.AddSingleton<IUsageLedger, UsageLedger>();
        // In the data folder, so rows the database refused survive a kill (docs/reliability.md).
        services.AddSingleton(sp => new UsageOutbox(
            Path.Combine(sp.GetRequiredService<IOptions<StoryEngineOptions>>().Value.DataDir, "outbox", "usage"),
            sp.GetRequiredService<ILogger<UsageOutbox>>()
        ));
        services.AddSingleton<UsageMeter>();
        services.AddSingleton(sp => new TierDirectory(
            sp.GetRequiredService<Core.Accounts.IUserStore>(),
            sp.GetRequiredService<TierCatalog>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<IOptions<AuthOptions>>().Value.SessionCheckSeconds))
        ));
        services.AddSingleton<TierAdministration>();

        services.AddSingleton<IAccountArchive, AccountArchive>();
        services.AddSingleton<IAccountEraser, AccountEraser>();
        services.AddSingleton<AccountDataRights>();
        return services;
    }
}
