using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>`storyengine users list|disable|enable`, run as a process on each engine.</summary>
public abstract class UsersCliTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-cli",
        Guid.NewGuid().ToString("N")
    );

    protected Dictionary<string, string> Environment { get; } = new();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        return Task.CompletedTask;
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["--data-dir", _dataDir, .. args], Environment);

    [Fact]
    public async Task users_are_listed_disabled_and_enabled_from_the_command_line()
    {
        Assert.Equal(0, (await Run("users", "add", "keeper", "--admin")).ExitCode);
        Assert.Equal(0, (await Run("users", "add", "scribe")).ExitCode);

        var list = await Run("users", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"keeper\s+admin\s+active", list.Stdout);
        Assert.Matches(@"scribe\s+user\s+active", list.Stdout);
        Assert.Contains("2 accounts", list.Stdout, StringComparison.Ordinal);

        var disabled = await Run("users", "disable", "SCRIBE");
        Assert.Equal(0, disabled.ExitCode);
        Assert.Contains("'scribe' is disabled", disabled.Stdout, StringComparison.Ordinal);
        var json = JsonDocument.Parse((await Run("users", "list", "--json")).Stdout).RootElement;
        var scribe = json.EnumerateArray().Single(u => u.GetProperty("username").GetString() == "scribe");
        Assert.True(scribe.GetProperty("disabled").GetBoolean());
        Assert.False(scribe.TryGetProperty("passwordHash", out _));

        Assert.Equal(0, (await Run("users", "enable", "scribe")).ExitCode);
        Assert.Matches(@"scribe\s+user\s+active", (await Run("users", "list")).Stdout);

        var unknown = await Run("users", "disable", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No account named 'nobody'", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task tiers_quotas_and_usage_from_the_command_line()
    {
        Assert.Equal(0, (await Run("users", "add", "scribe")).ExitCode);
        var tier = await Run("users", "tier", "scribe", "standard");
        Assert.Equal(0, tier.ExitCode);
        Assert.Contains("'scribe' is on tier 'standard'", tier.Stdout, StringComparison.Ordinal);
        var unknown = await Run("users", "tier", "scribe", "gold");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("tier must be one of: standard", unknown.Stderr, StringComparison.Ordinal);

        var quota = await Run("users", "quota", "scribe", "--daily", "5000");
        Assert.Equal(0, quota.ExitCode);
        Assert.Contains("daily 5,000, monthly the tier's", quota.Stdout, StringComparison.Ordinal);

        var usage = JsonDocument.Parse((await Run("usage", "--user", "scribe", "--json")).Stdout).RootElement;
        Assert.Equal("standard", usage.GetProperty("tier").GetString());
        Assert.Equal(5000, usage.GetProperty("daily").GetProperty("limit").GetInt64());
        Assert.Equal(0, usage.GetProperty("totals").GetProperty("calls").GetInt64());
        var everyone = await Run("usage");
        Assert.Equal(0, everyone.ExitCode);
        Assert.Matches(@"total\s+0\s+0\s+0", everyone.Stdout);
        Assert.Equal(1, (await Run("usage", "--from", "May 1")).ExitCode);
    }
}

public sealed class UsersCliTests_Sqlite : UsersCliTests;

public sealed class UsersCliTests_Postgres : UsersCliTests
{
    private readonly TestPostgres _database = new();

    public override async Task InitializeAsync() =>
        Environment["ConnectionStrings__Postgres"] = await _database.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
