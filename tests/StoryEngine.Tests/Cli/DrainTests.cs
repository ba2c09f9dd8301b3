using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// The graceful drain (issue 16) on the real `storyengine serve` process: on SIGTERM readiness turns 503 and new turns
/// are refused at once, the narration in flight gets <c>Shutdown:DrainSeconds</c> to finish (or is recorded as
/// interrupted with its text), and the process exits 0.
/// </summary>
public sealed class DrainTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-drain",
        Guid.NewGuid().ToString("N")
    );
    private readonly HashSet<int> _signalled = [];

    [Fact]
    public async Task sigterm_turns_readiness_and_new_turns_away_at_once_and_lets_the_narration_in_flight_finish()
    {
        var (server, client) = await StartAsync(drainSeconds: 60, "drainer");
        try
        {
            var playing = await AdventureTestData.CreateAsync(client);
            var other = await AdventureTestData.CreateAsync(client);
            var streamed = "";
            SseEvent? outcome = null;
            await foreach (
                var e in Sse.StreamAsync(
                    client,
                    AdventureTestData.Turn(playing.AdventureId, "a slow tale {{tokens:150}}{{delay:40}}")
                )
            )
            {
                if (e.Event == "token")
                {
                    streamed += e.Data.Str("text");
                }
                if (e.Event == "token" && !Signalled(server)) // on the first token: the narration is in flight
                {
                    await TerminateAsync(server);
                    await Poll.UntilAsync(
                        async () =>
                            (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
                        "/health/ready stayed 200 after SIGTERM",
                        TimeSpan.FromSeconds(10)
                    );
                    Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

                    using var refused = await client.SendAsync(
                        AdventureTestData.Turn(other.AdventureId, "a turn too late")
                    );
                    var problem = await refused.JsonAsync(HttpStatusCode.ServiceUnavailable);
                    Assert.Equal("draining", problem.Str("code"));
                    Assert.NotNull(refused.Headers.RetryAfter);
                }
                if (e.Event is "turn.completed" or "turn.failed")
                {
                    outcome = e;
                }
            }

            Assert.True(Signalled(server), "the narration ended before the first token");
            Assert.Equal("turn.completed", outcome?.Event);
            Assert.Equal("completed", outcome!.Data.Str("status"));
            Assert.Equal(streamed, outcome.Data.Str("narration"));
            Assert.Equal(0, await ExitCodeAsync(server));
        }
        finally
        {
            client.Dispose();
            Stop(server);
        }
    }

    [Fact]
    public async Task a_narration_longer_than_the_drain_is_recorded_as_interrupted_with_its_text_and_the_exit_is_0()
    {
        var (server, client) = await StartAsync(drainSeconds: 1, "impatient");
        try
        {
            var setup = await AdventureTestData.CreateAsync(client);
            var streamed = "";
            SseEvent? outcome = null;
            await foreach (
                var e in Sse.StreamAsync(
                    client,
                    AdventureTestData.Turn(setup.AdventureId, "an endless tale {{tokens:2000}}{{delay:25}}")
                )
            )
            {
                if (e.Event == "token" && (streamed += e.Data.Str("text")).Length > 40 && !Signalled(server))
                {
                    await TerminateAsync(server);
                }
                if (e.Event is "turn.completed" or "turn.failed")
                {
                    outcome = e;
                }
            }

            Assert.Equal("turn.failed", outcome?.Event); // the client is told before the server goes
            Assert.Equal("interrupted", outcome!.Data.Str("code"));
            var turn = outcome.Data.GetProperty("turn");
            Assert.Equal("interrupted", turn.Str("status")); // resumable: retry or continue it after the restart
            Assert.Equal(streamed, turn.Str("narration"));
            Assert.Equal(0, await ExitCodeAsync(server));
        }
        finally
        {
            client.Dispose();
            Stop(server);
        }
    }

    private bool Signalled(Process server) => _signalled.Contains(server.Id);

    private async Task TerminateAsync(Process server)
    {
        _signalled.Add(server.Id);
        var pid = server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var term = Process.Start("kill", ["-TERM", pid]);
        await term.WaitForExitAsync();
    }

    private async Task<(Process Server, HttpClient Client)> StartAsync(int drainSeconds, string username)
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var environment = backend
            .Settings()
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Shutdown__DrainSeconds"] = drainSeconds.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        var (server, address) = await CliProcess.StartServerAsync(_dataDir, environment);
        var client = new HttpClient { BaseAddress = address };
        const string password = "a long enough password";
        await client.PostAsJsonAsync("/api/v1/auth/register", new { username, password });
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
        var tokens = await login.JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        return (server, client);
    }

    private static async Task<int> ExitCodeAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);
        return server.ExitCode;
    }

    private static void Stop(Process server)
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
        }
        server.Dispose();
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
