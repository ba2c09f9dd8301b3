using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>With nothing configured the narrator is Ollama on 127.0.0.1:11434; when nothing listens there the server
/// still runs.</summary>
public sealed class NoBackendTests
{
    [Fact]
    public async Task with_no_backend_reachable_a_turn_fails_at_once_and_only_an_admin_sees_what_to_start()
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
            var problem = await (
                await client.PostAsJsonAsync(
                    $"/api/v1/adventures/{setup.AdventureId}/turns",
                    new { kind = "do", text = "hello?" }
                )
            ).AssertProblemAsync(HttpStatusCode.BadGateway, "backend_unavailable");
            // The player is told to come back; the address and the key to fix are the operator's (issue #15, fault 6).
            Assert.Contains("Try again in a minute", problem.Str("detail"), StringComparison.Ordinal);
            HttpAssertions.AssertDisclosesNothing(problem);
            Assert.Equal("hello?", problem.GetProperty("turn").Str("playerText"));

            var response = await client.GetAsync("/health");
            var health = await response.JsonAsync();
            Assert.Equal("degraded", health.Str("status"));
            Assert.Equal("degraded", health.GetProperty("components").GetProperty("backends").Str("status"));
            HttpAssertions.AssertDisclosesNothing(health);
            Assert.False(health.GetProperty("components").GetProperty("backends").TryGetProperty("description", out _));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

            using var admin = await fixture.CreateAccountAsync(admin: true);
            var detailed = await (await admin.Client.GetAsync("/health")).JsonAsync();
            var backends = detailed.GetProperty("components").GetProperty("backends").Str("description");
            Assert.Contains("scripted", backends, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:9", backends, StringComparison.Ordinal);
            Assert.Contains("Backends:scripted:BaseUrl", backends, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
