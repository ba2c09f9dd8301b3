using System.Net;
using System.Net.Http.Json;
using StoryEngine.Core.Usage;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Usage;

/// <summary>Configured tiers, prices and rate limits per tier, on a server of its own.</summary>
public sealed class TierTests : IAsyncLifetime
{
    private const string Key = "sk-tier-test-secret-0123456789";
    private readonly SqliteServerFixture _server = new();

    public async Task InitializeAsync()
    {
        foreach (
            var (key, value) in new Dictionary<string, string?>
            {
                ["RateLimits:GenerationPerMinute"] = "1000000",
                ["Tiers:trial:GenerationPerMinute"] = "2",
                ["RateLimits:ApiPerMinute"] = "1000000",
                ["Tiers:metered:ApiPerMinute"] = "5",
                ["Tiers:trial:DailyTokens"] = "1000000",
                ["Tiers:standard:MonthlyTokens"] = "500000000",
                ["Prices:scripted-1:PromptPerMillion"] = "2.5",
                ["Prices:scripted-1:CompletionPerMillion"] = "10",
                ["Backends:scripted:ApiKey"] = Key,
            }
        )
        {
            _server.ExtraSettings[key] = value;
        }
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task a_tier_brings_its_own_rate_limit_and_the_change_is_audited()
    {
        using var admin = await _server.CreateAccountAsync(admin: true);
        using var user = await _server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        for (var i = 0; i < 3; i++)
        {
            // the default tier: no small limit
            await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, $"standard {i}");
        }

        var changed = await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/tier", new { tier = "Trial" })
        ).JsonAsync();
        Assert.Equal("trial", changed.Str("tier"));
        await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, "trial one");
        await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, "trial two");
        await (
            await user.Client.PostAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns",
                new { kind = "do", text = "trial three" }
            )
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        var usage = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        Assert.Equal("trial", usage.Str("tier"));
        Assert.Equal(1_000_000, usage.GetProperty("daily").GetProperty("limit").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, usage.GetProperty("monthly").GetProperty("limit").ValueKind);

        var audit = await (
            await admin.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}&action=user.tier_changed")
        ).JsonAsync();
        Assert.Equal("standard->trial", Assert.Single(audit.GetProperty("items").EnumerateArray()).Str("detail"));
    }

    [Fact]
    public async Task a_tier_brings_its_own_api_rate_limit_and_other_tiers_keep_theirs()
    {
        using var admin = await _server.CreateAccountAsync(admin: true);
        using var metered = await _server.CreateAccountAsync();
        using var standard = await _server.CreateAccountAsync();
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{metered.Id}/tier", new { tier = "metered" })
        ).EnsureSuccessStatusCode();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await metered.Client.GetAsync("/api/v1/worlds")).StatusCode);
        }
        var limited = await metered.Client.GetAsync("/api/v1/worlds");
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");

        // The default tier has the RateLimits value, far above five; the same requests from its user all pass.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await standard.Client.GetAsync("/api/v1/worlds")).StatusCode);
        }
    }

    [Fact]
    public async Task cost_is_priced_from_the_configured_prices()
    {
        using var user = await _server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, "priced {{tokens:7}}");
        await BackgroundJobs.SettleAsync(user.Client, setup.AdventureId);
        var usage = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        var narration = BackgroundJobs.UsageFor(usage, UsagePurposes.Narration)!.Value;
        var expected =
            Math.Round(narration.GetProperty("promptTokens").GetInt64() * 2.5m + 7 * 10m, MidpointRounding.AwayFromZero)
            / 1_000_000m;
        Assert.Equal(expected, narration.GetProperty("cost").GetDecimal());
        // The state extraction ran on the same model and is priced the same way, row by row.
        var state = BackgroundJobs.UsageFor(usage, UsagePurposes.State)!.Value;
        var stateCost =
            Math.Round(
                state.GetProperty("promptTokens").GetInt64() * 2.5m
                    + state.GetProperty("completionTokens").GetInt64() * 10m,
                MidpointRounding.AwayFromZero
            ) / 1_000_000m;
        Assert.Equal(stateCost, state.GetProperty("cost").GetDecimal());
        Assert.Equal(expected + stateCost, usage.GetProperty("totals").GetProperty("cost").GetDecimal());
        Assert.Equal(
            500_000_000,
            (await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync())
                .GetProperty("monthly")
                .GetProperty("limit")
                .GetInt64()
        );
    }

    [Fact]
    public async Task admin_backends_never_shows_the_api_key()
    {
        using var admin = await _server.CreateAccountAsync(admin: true);
        var response = await admin.Client.GetAsync("/api/v1/admin/backends");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Key, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[..12], body, StringComparison.Ordinal);
        Assert.Contains("\"apiKeyConfigured\":true", body, StringComparison.Ordinal);
    }
}
