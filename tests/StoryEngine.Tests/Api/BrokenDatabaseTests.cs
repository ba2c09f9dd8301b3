using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>When the database is gone, the server stays up, says it is not ready, and never reports a write as
/// done.</summary>
public sealed class BrokenDatabaseTests
{
    [Fact]
    public async Task unreachable_postgres_gives_503_problems_and_an_unready_server()
    {
        var fixture = new SqliteServerFixture { Migrate = false };
        fixture.ExtraSettings["ConnectionStrings:Postgres"] =
            "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=3";
        await AssertBrokenAsync(fixture);
    }

    [Fact]
    public async Task unopenable_sqlite_file_gives_503_problems_and_an_unready_server()
    {
        var fixture = new SqliteServerFixture { Migrate = false };
        // A folder where the database file should be: SQLite cannot open it.
        Directory.CreateDirectory(Path.Combine(fixture.DataDir, "storyengine.db"));
        await AssertBrokenAsync(fixture);
    }

    private static async Task AssertBrokenAsync(ServerFixture fixture)
    {
        await fixture.InitializeAsync();
        try
        {
            using var client = fixture.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("down", (await ready.JsonAsync(HttpStatusCode.ServiceUnavailable)).Str("status"));

            var register = await client.PostAsJsonAsync(
                "/api/v1/auth/register",
                new { username = "someone", password = "a long enough password" }
            );
            await register.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");
            Assert.NotNull(register.Headers.RetryAfter);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
