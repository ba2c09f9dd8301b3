using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Faults;

/// <summary>
/// Issue 15, fault 1 and 2: PostgreSQL is stopped (<c>-m immediate</c>) while a turn streams and started again after
/// the narration ended. The player is answered, the adventure is not stuck, and once the database is back the
/// narration and its usage are stored: nothing lost. The test runs its own PostgreSQL, so it may kill it.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task outage_mid_narration_answers_the_player_frees_the_adventure_and_loses_nothing()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var backend = await ScriptedBackend.InstanceAsync();
        var environment = SignedInServer.Environment(backend);
        environment["ConnectionStrings__Postgres"] = postgres.ConnectionString;
        var dataDir = Directory.CreateTempSubdirectory("storyengine-outage").FullName;
        var (server, client) = await SignedInServer.StartAsync(dataDir, environment, "outage");
        try
        {
            var setup = await AdventureTestData.CreateAsync(client);
            const string action = "tell the tale of the fog {{tokens:40}}{{delay:50}}";
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

            var clock = Stopwatch.StartNew();
            var (turnId, streamed, failure) = await NarrateIntoOutageAsync(client, postgres, setup.AdventureId, action);
            // The narration ended while the database was away: the player is told within the bounded retries.
            Assert.Equal("storage_unavailable", failure);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}");

            // Still down: stop and re-attach answer at once (from memory: nothing to stop, and the outcome the stream
            // had; or 503 when the sign-in's session check needs the database); a new turn gets a 503, not a hang.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
            await AssertQuickAsync([HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable], () =>
                client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/stop", null)
            );
            await AssertQuickAsync([HttpStatusCode.ServiceUnavailable], () =>
                client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/stream")
            );
            await AssertQuickAsync([HttpStatusCode.ServiceUnavailable], () =>
                client.PostAsJsonAsync($"/api/v1/adventures/{setup.AdventureId}/turns", new { kind = "do", text = "x" })
            );

            await postgres.StartAgainAsync();
            await Poll.UntilAsync(
                async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
                "/health/ready did not come back after the database did",
                TimeSpan.FromSeconds(30)
            );
            // The kept outcome is written when the database is back: the whole narration, not a stuck "streaming".
            var turn = await Poll.UntilAsync(
                async () =>
                    await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}")).JsonAsync(),
                t => t.Str("status") == "completed",
                t => $"the outcome was not written after the outage: {t}",
                TimeSpan.FromSeconds(30)
            );
            Assert.Equal(action, turn.Str("playerText"));
            Assert.Equal(streamed, turn.Str("narration"));

            // Usage: the one narration, with the 40 completion tokens the backend reported.
            var usage = await Poll.UntilAsync(
                async () =>
                    BackgroundJobs.UsageFor(
                        await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(),
                        Core.Usage.UsagePurposes.Narration
                    ),
                u => u is not null,
                _ => "the narration's usage row was lost",
                TimeSpan.FromSeconds(30)
            );
            AssertOneReportedNarration(usage!.Value);

            // Not stuck: the next turn is narrated.
            var next = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "open the door {{tokens:3}}");
            Assert.Equal("completed", next.Str("status"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            client.Dispose();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task usage_of_a_narration_that_ended_in_an_outage_survives_a_kill_before_the_database_is_back()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var environment = SignedInServer.Environment(await ScriptedBackend.InstanceAsync());
        environment["ConnectionStrings__Postgres"] = postgres.ConnectionString;
        var dataDir = Directory.CreateTempSubdirectory("storyengine-outage").FullName;
        var (server, client) = await SignedInServer.StartAsync(dataDir, environment, "outage-kill");
        try
        {
            var setup = await AdventureTestData.CreateAsync(client);
            var (turnId, _, failure) = await NarrateIntoOutageAsync(
                client,
                postgres,
                setup.AdventureId,
                "tell the tale of the fog {{tokens:40}}{{delay:50}}"
            );
            Assert.Equal("storage_unavailable", failure);

            // The usage row exists only in the outbox now (and the outcome only in memory): kill, then bring the
            // database back and start again on the same data folder.
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            await postgres.StartAgainAsync();
            var before = client;
            (server, client) = await SignedInServer.RestartAsync(dataDir, environment, before);
            before.Dispose();

            var usage = await Poll.UntilAsync(
                async () =>
                    BackgroundJobs.UsageFor(
                        await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(),
                        Core.Usage.UsagePurposes.Narration
                    ),
                u => u is not null,
                _ => "the narration's usage row was lost with the process",
                TimeSpan.FromSeconds(30)
            );
            AssertOneReportedNarration(usage!.Value);
            // The outcome was in memory only: the turn is recovered as interrupted, and can be narrated again.
            var turn = await (
                await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}")
            ).JsonAsync();
            Assert.Equal("interrupted", turn.Str("status"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            client.Dispose();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    // Streams a turn and stops PostgreSQL at its first token; the turn id, the text streamed, the failure code.
    private static async Task<(string? TurnId, string Streamed, string? Failure)> NarrateIntoOutageAsync(
        HttpClient client,
        PrivatePostgres postgres,
        string adventureId,
        string action
    )
    {
        string? turnId = null,
            failure = null;
        var streamed = "";
        await foreach (var e in Sse.StreamAsync(client, AdventureTestData.Turn(adventureId, action)))
        {
            turnId ??= e.Data.TryGetProperty("turnId", out var id) ? id.GetString() : null;
            if (e.Event == "token" && streamed.Length == 0)
            {
                await postgres.StopImmediateAsync();
            }
            streamed += e.Event == "token" ? e.Data.Str("text") : "";
            if (e.Event == "turn.failed")
            {
                failure = e.Data.Str("code");
            }
        }
        return (turnId, streamed, failure);
    }

    // One narration, with the counts the backend reported (40 completion tokens; nothing estimated).
    private static void AssertOneReportedNarration(System.Text.Json.JsonElement usage)
    {
        Assert.Equal(1, usage.GetProperty("calls").GetInt64());
        Assert.Equal(40, usage.GetProperty("completionTokens").GetInt64());
        Assert.True(usage.GetProperty("promptTokens").GetInt64() > 0, usage.GetRawText());
        Assert.Equal(0, usage.GetProperty("estimatedCalls").GetInt64());
    }

    private static async Task AssertQuickAsync(HttpStatusCode[] expected, Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(clock.Elapsed < Quick, $"answered after {clock.Elapsed}");
        Assert.True(
            expected.Contains(response.StatusCode),
            $"expected {string.Join(" or ", expected)}, got {response.StatusCode}: "
                + await response.Content.ReadAsStringAsync()
        );
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
