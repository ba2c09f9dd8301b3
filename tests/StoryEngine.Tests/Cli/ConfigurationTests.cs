using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Auth__AccessTokenMinutes", "0", "Auth:AccessTokenMinutes")]
    [InlineData("Auth__AccessTokenMinutes", "soon", "Auth:AccessTokenMinutes")]
    [InlineData("Auth__SigningKey", "too-short", "Auth:SigningKey")]
    [InlineData("Auth__SessionCheckSeconds", "-1", "Auth:SessionCheckSeconds")]
    [InlineData("Auth__Lockout__AccountLockAfter", "0", "Auth:Lockout:AccountLockAfter")]
    [InlineData("ConnectionStrings__Postgres", "Hots=nowhere", "ConnectionStrings:Postgres")]
    [InlineData("Database__MigrateOnStart", "maybe", "Database:MigrateOnStart")]
    [InlineData("Backends__local__Kind", "telepathy", "Backends:local:Kind")]
    [InlineData("Narrator__Backends__0", "missing", "Narrator:Backends")]
    [InlineData("RateLimits__ApiPerMinute", "0", "RateLimits:ApiPerMinute")]
    [InlineData("ForwardedHeaders__KnownProxies__0", "proxy.example", "ForwardedHeaders:KnownProxies:0")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.0/99", "ForwardedHeaders:KnownNetworks:0")]
    [InlineData("Tiers__free__DialyTokens", "5", "Tiers:free:DialyTokens")]
    [InlineData("Tiers__free__DailyTokens", "lots", "Tiers:free:DailyTokens")]
    [InlineData("Prices__gpt-4o__PromptPerMillion", "cheap", "Prices:gpt-4o:PromptPerMillion")]
    [InlineData("Embeddings__Backend", "missing", "Embeddings:Backend")]
    [InlineData("Memory__RecallCount", "-1", "Memory:RecallCount")]
    [InlineData("Summaries__FanIn", "1", "Summaries:FanIn")]
    [InlineData("Shutdown__DrainSeconds", "-1", "Shutdown:DrainSeconds")]
    public async Task bad_configuration_stops_with_exit_code_2_naming_the_key(string variable, string value, string key)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "storyengine-cli", Guid.NewGuid().ToString("N"));
        foreach (var command in new[] { new[] { "serve", "--urls", "http://127.0.0.1:0" }, new[] { "status" } })
        {
            var result = await CliProcess.RunAsync(
                ["--data-dir", dataDir, .. command],
                new Dictionary<string, string> { [variable] = value }
            );
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
        Assert.False(
            File.Exists(Path.Combine(dataDir, "storyengine.db")),
            "nothing may be written before the " + "configuration is valid"
        );
    }

    [Fact]
    public async Task unknown_command_or_option_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync(["serve", "--no-such-option"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--no-such-option", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }
}
