using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Rate limits, security headers and CORS, each on a server of its own so other tests keep their
/// budgets.</summary>
public sealed class ProtectionTests
{
    [Fact]
    public async Task going_over_a_rate_limit_gets_429_with_retry_after()
    {
        await using var owned = await StartAsync(
            new()
            {
                ["RateLimits:ApiPerMinute"] = "5",
                ["RateLimits:AuthPerMinute"] = "4",
                ["RateLimits:GenerationPerMinute"] = "2",
            }
        );
        var server = owned.Fixture;
        using var client = await server.CreateUserClientAsync(); // 2 auth requests

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/worlds")).StatusCode);
        }
        var limited = await client.GetAsync("/api/v1/worlds");
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another user has a budget of their own.
        using var other = await server.CreateUserClientAsync(); // 2 more auth requests: the IP's 4 are used
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/worlds")).StatusCode);
        await (
            await other.PostAsJsonAsync("/api/v1/auth/login", new { username = "x", password = "y" })
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        // Password reset shares the sign-in budget: it cannot be used to spam mail or guess tokens.
        await (await other.PostAsJsonAsync("/api/v1/auth/password-reset", new { username = "x" })).AssertProblemAsync(
            HttpStatusCode.TooManyRequests,
            "rate_limited"
        );
        await (
            await other.PostAsJsonAsync(
                "/api/v1/auth/password-reset/confirm",
                new { token = "pr_x", newPassword = "a long enough password" }
            )
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task model_calls_have_their_own_smaller_limit()
    {
        await using var owned = await StartAsync(new() { ["RateLimits:GenerationPerMinute"] = "2" });
        using var client = await owned.Fixture.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "one");
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "two");
        await (
            await client.PostAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns",
                new { kind = "do", text = "three" }
            )
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        var log = await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")).JsonAsync();
        Assert.DoesNotContain(log.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("payload").ToString().Contains("three", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task bedtime_stories_have_their_own_limit_of_three_a_minute()
    {
        // Issue 25: the bedtime report asks for 3 generations a minute per user (the default of the setting).
        await using var owned = await StartAsync(new() { ["RateLimits:BedtimePerMinute"] = "3" });
        using var client = await owned.Fixture.CreateUserClientAsync();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await client.PostAsJsonAsync(
                "/api/v1/bedtime-stories",
                new
                {
                    ageBand = "5-7",
                    theme = "a quiet pond",
                    minutes = 1,
                }
            );
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var refused = await client.PostAsJsonAsync(
            "/api/v1/bedtime-stories",
            new
            {
                ageBand = "5-7",
                theme = "a quiet pond",
                minutes = 1,
            }
        );
        Assert.True(refused.Headers.RetryAfter is not null);
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        // Turns are not counted against it.
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "one");
    }

    [Fact]
    public async Task responses_carry_security_headers_and_cors_allows_only_configured_origins()
    {
        await using var owned = await StartAsync(new() { ["Cors:AllowedOrigins:0"] = "https://stories.example" });
        using var client = owned.Fixture.CreateClient();
        var response = await client.GetAsync("/health");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains(
            "frame-ancestors 'none'",
            response.Headers.GetValues("Content-Security-Policy").Single(),
            StringComparison.Ordinal
        );

        foreach (var (origin, allowed) in new[] { ("https://stories.example", true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/worlds");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
            var answer = await client.SendAsync(preflight);
            Assert.Equal(allowed, answer.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task cors_allows_no_origin_when_none_is_configured()
    {
        await using var owned = await StartAsync(new()); // no Cors:* at all, as a fresh install has
        using var account = await owned.Fixture.CreateAccountAsync();
        const string Origin = "https://stories.example";

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/worlds");
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        var answer = await account.Client.SendAsync(preflight);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), "a preflight was allowed");
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Methods"), "a preflight was allowed");

        // A simple request is answered (the browser, not the server, withholds it) but carries no permission to read
        // it.
        foreach (var url in new[] { "/api/v1/me", "/health", "/signin" })
        {
            using var simple = new HttpRequestMessage(HttpMethod.Get, url);
            simple.Headers.Add("Origin", Origin);
            var response = await account.Client.SendAsync(simple);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{url} allowed {Origin}");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"), $"{url} allowed credentials");
        }
    }

    private static async Task<OwnedServer> StartAsync(Dictionary<string, string?> settings)
    {
        var fixture = new SqliteServerFixture();
        fixture.ExtraSettings["RateLimits:ApiPerMinute"] = "1000000";
        fixture.ExtraSettings["RateLimits:AuthPerMinute"] = "1000000";
        fixture.ExtraSettings["RateLimits:GenerationPerMinute"] = "1000000";
        foreach (var (key, value) in settings)
        {
            fixture.ExtraSettings[key] = value;
        }
        await fixture.InitializeAsync();
        return new OwnedServer(fixture);
    }

    private sealed class OwnedServer(ServerFixture fixture) : IAsyncDisposable
    {
        public ServerFixture Fixture { get; } = fixture;

        public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
    }
}
