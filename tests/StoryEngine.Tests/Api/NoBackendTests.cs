using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>With nothing configured the narrator is Ollama on 127.0.0.1:11434; when nothing listens there the server still runs.</summary>
public sealed class NoBackendTests
{
    [Fact]
    public async Task with_no_backend_reachable_a_turn_fails_at_once_saying_what_to_start()
    {
        var fixture = new SqliteServerFixture();
        // A closed port instead of the real default, so a developer's running Ollama cannot change the outcome.
        fixture.ExtraSettings["Backends:scripted:BaseUrl"] = "http://127.0.0.1:9/v1";
        fixture.ExtraSettings["Narrator:MaxRetries"] = "0";
        await fixture.InitializeAsync();
        try
        {
            using var client = await fixture.CreateUserClientAsync();
            var setup = await AdventureTestData.CreateAsync(client);
            var problem = await (await client.PostAsJsonAsync($"/api/v1/adventures/{setup.AdventureId}/turns", new { kind = "do", text = "hello?" }))
                .AssertProblemAsync(HttpStatusCode.BadGateway, "backend_unavailable");
            Assert.Contains("127.0.0.1:9", problem.Str("detail"), StringComparison.Ordinal);
            Assert.Equal("hello?", problem.GetProperty("turn").Str("playerText"));

            var health = await (await client.GetAsync("/health")).JsonAsync();
            Assert.Equal("Degraded", health.Str("status"));
            Assert.Contains("scripted", health.GetProperty("components").GetProperty("backends").Str("description"), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
