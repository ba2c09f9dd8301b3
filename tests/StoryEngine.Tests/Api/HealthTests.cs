using System.Net;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class HealthTests(ServerFixture server)
{
    [Fact]
    public async Task health_reports_each_component_without_a_token()
    {
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await (await client.GetAsync("/health/ready")).JsonAsync();
        Assert.Equal("up", ready.Str("status"));
        var health = await (await client.GetAsync("/health")).JsonAsync();
        var components = health.GetProperty("components");
        Assert.Equal("up", components.GetProperty("database").Str("status"));
        Assert.Equal("up", components.GetProperty("migrations").Str("status"));
    }

    [Fact]
    public async Task anonymous_health_says_only_up_or_down_per_component_and_admins_get_the_details()
    {
        using var anonymous = server.CreateClient();
        using var user = await server.CreateAccountAsync();
        foreach (var caller in new[] { anonymous, user.Client })
        {
            foreach (var url in new[] { "/health", "/health/ready" })
            {
                var body = await (await caller.GetAsync(url)).JsonAsync();
                HttpAssertions.AssertDisclosesNothing(body);
                Assert.DoesNotContain(server.Engine, body.GetRawText(), StringComparison.OrdinalIgnoreCase);
                // Only the words of issue 15: the overall state and one per dependency kind, nothing else.
                Assert.Equal(["components", "status"], body.EnumerateObject().Select(p => p.Name).Order());
                Assert.Equal("up", body.Str("status"));
                Assert.All(body.GetProperty("components").EnumerateObject(), c =>
                {
                    Assert.Equal(["status"], c.Value.EnumerateObject().Select(p => p.Name));
                    Assert.Contains(c.Value.Str("status"), new[] { "up", "degraded", "down" });
                });
            }
        }

        using var admin = await server.CreateAccountAsync(admin: true);
        var report = await (await admin.Client.GetAsync("/health")).JsonAsync();
        Assert.True(report.TryGetProperty("durationMs", out _), report.GetRawText());
        var detailed = report.GetProperty("components");
        Assert.Contains(server.Engine, detailed.GetProperty("database").Str("description"), StringComparison.Ordinal);
        var migrations = detailed.GetProperty("migrations").Str("description");
        Assert.Contains("schema version", migrations, StringComparison.Ordinal);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class HealthTests_Sqlite(SqliteServerFixture server) : HealthTests(server);

[Collection(PostgresCollection.Name)]
public sealed class HealthTests_Postgres(PostgresServerFixture server) : HealthTests(server);
