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
        Assert.Equal("Healthy", ready.Str("status"));
        var health = await (await client.GetAsync("/health")).JsonAsync();
        var components = health.GetProperty("components");
        Assert.Contains(server.Engine, components.GetProperty("database").Str("description"), StringComparison.Ordinal);
        Assert.Equal("Healthy", components.GetProperty("migrations").Str("status"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class HealthTests_Sqlite(SqliteServerFixture server) : HealthTests(server);

[Collection(PostgresCollection.Name)]
public sealed class HealthTests_Postgres(PostgresServerFixture server) : HealthTests(server);
