using Microsoft.Extensions.Configuration;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Tests.Usage;

public sealed class UsageConfigurationTests
{
    private static UsageOptions Read(Dictionary<string, string?> settings)
    {
        var options = new UsageOptions();
        UsageOptions.Read(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return options;
    }

    [Fact]
    public void prices_accept_model_names_with_colons_and_cost_is_in_millionths()
    {
        var options = Read(
            new()
            {
                ["Prices:llama3.1:8b:PromptPerMillion"] = "0.15",
                ["Prices:llama3.1:8b:CompletionPerMillion"] = "0.6",
                ["Prices:gpt-4o:PromptPerMillion"] = "2.5",
            }
        );
        Assert.Empty(options.Errors);
        var prices = new PriceList(options.Prices);
        Assert.Equal(1000 * 0.15m + 2000 * 0.6m, prices.CostMicros("LLAMA3.1:8B", 1000, 2000));
        Assert.Equal(2500, prices.CostMicros("gpt-4o", 1000, 5000));
        Assert.Equal(0, prices.CostMicros("unpriced", 1000, 1000));
    }

    [Fact]
    public void a_wrong_key_or_value_names_itself()
    {
        var options = Read(
            new()
            {
                ["Tiers:pro:DailyTokens"] = "lots",
                ["Tiers:pro:DialyTokens"] = "5",
                ["Prices:m:PromptPerMilion"] = "1",
                ["Prices:m:CompletionPerMillion"] = "-1",
            }
        );
        Assert.Contains(options.Errors, e => e.StartsWith("Tiers:pro:DailyTokens must be", StringComparison.Ordinal));
        Assert.Contains(options.Errors, e =>
            e.StartsWith("Tiers:pro:DialyTokens is not a tier " + "setting", StringComparison.Ordinal)
        );
        Assert.Contains(options.Errors, e =>
            e.StartsWith("Prices:m:PromptPerMilion is not a price " + "setting", StringComparison.Ordinal)
        );
        Assert.Contains(options.Errors, e =>
            e.StartsWith("Prices:m:CompletionPerMillion must be a " + "number", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void the_default_tier_exists_without_configuration_and_unknown_tiers_fall_back_to_it()
    {
        var catalog = new TierCatalog([new Tier("pro", 10, null, null, null)], "free");
        Assert.Equal("free", catalog.Resolve(null).Name);
        Assert.Equal("free", catalog.Resolve("removed").Name);
        Assert.Equal("pro", catalog.Resolve("PRO").Name);
        Assert.Null(catalog.Default.DailyTokens);
    }
}
