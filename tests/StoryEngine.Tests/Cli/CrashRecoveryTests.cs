using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// The server process is killed (SIGKILL, no shutdown) in the middle of a streamed turn. After a restart the
/// player's action and the narration checkpointed so far are there, the turn is marked interrupted, and it can be
/// retried.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-crash",
        Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task killed_mid_narration_the_action_and_partial_text_survive_and_the_turn_is_interrupted()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var environment = backend
            .Settings()
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

        var (server, address) = await CliProcess.StartServerAsync(_dataDir, environment);
        using var client = new HttpClient { BaseAddress = address };
        await client.PostAsJsonAsync(
            "/api/v1/auth/register",
            new { username = "crashy", password = "a long enough password" }
        );
        var tokens = await (
            await client.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = "crashy", password = "a long enough password" }
            )
        ).JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        var setup = await AdventureTestData.CreateAsync(client);

        var streamed = new List<string>();
        string? turnId = null;
        var started = Stopwatch.StartNew();
        try
        {
            await foreach (
                var e in Sse.StreamAsync(
                    client,
                    AdventureTestData.Turn(setup.AdventureId, "tell me a long tale {{tokens:400}}{{delay:25}}")
                )
            )
            {
                turnId ??= e.Data.TryGetProperty("turnId", out var id) ? id.GetString() : null;
                if (e.Event == "token")
                {
                    streamed.Add(e.Data.Str("text"));
                }
                // Killed once a checkpoint is on disk: on a loaded machine a fixed wait can end before the first one.
                if (started.Elapsed > TimeSpan.FromSeconds(2.5) && streamed.Count > 20 && await DraftSavedAsync(turnId))
                {
                    server.Kill(entireProcessTree: true);
                    break;
                }
            }
        }
        catch (HttpRequestException) { }
        catch (IOException) { }
        if (!server.HasExited)
        {
            // the narration ended before a checkpoint was seen; the asserts say so
            server.Kill(entireProcessTree: true);
        }
        await server.WaitForExitAsync();

        var (restarted, newAddress) = await CliProcess.StartServerAsync(_dataDir, environment);
        try
        {
            using var after = new HttpClient { BaseAddress = newAddress };
            after.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
            var turn = await (
                await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}")
            ).JsonAsync();
            Assert.Equal("tell me a long tale {{tokens:400}}{{delay:25}}", turn.Str("playerText"));
            Assert.Equal("interrupted", turn.Str("status"));
            var kept = turn.Str("narration");
            Assert.NotEmpty(kept);
            // the checkpoint is a prefix of what was streamed
            Assert.StartsWith(kept, string.Concat(streamed), StringComparison.Ordinal);

            var retried = await (
                await after.PostAsync(
                    $"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}/retry",
                    JsonContent.Create(new { })
                )
            ).JsonAsync(System.Net.HttpStatusCode.OK);
            Assert.Equal(2, retried.GetProperty("alternatives").GetArrayLength());
            Assert.Equal("interrupted", retried.GetProperty("alternatives")[0].Str("status"));
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task sigterm_mid_narration_records_the_turn_as_interrupted_before_exiting()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var environment = backend
            .Settings()
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Shutdown__DrainSeconds"] = "0"; // no drain: the narration is interrupted at once (DrainTests)
        var (server, address) = await CliProcess.StartServerAsync(_dataDir, environment);
        using var client = new HttpClient { BaseAddress = address };
        await client.PostAsJsonAsync(
            "/api/v1/auth/register",
            new { username = "graceful", password = "a long enough password" }
        );
        var tokens = await (
            await client.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = "graceful", password = "a long enough password" }
            )
        ).JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        var setup = await AdventureTestData.CreateAsync(client);

        string? turnId = null;
        var streamed = "";
        try
        {
            await foreach (
                var e in Sse.StreamAsync(
                    client,
                    AdventureTestData.Turn(setup.AdventureId, "a slow tale " + "{{tokens:400}}{{delay:25}}")
                )
            )
            {
                turnId ??= e.Data.TryGetProperty("turnId", out var id) ? id.GetString() : null;
                if (e.Event == "token" && (streamed += e.Data.Str("text")).Length > 60)
                {
                    using var term = Process.Start(
                        "kill",
                        ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                    );
                    await term.WaitForExitAsync();
                }
                if (e.Event is "turn.failed" or "turn.completed")
                {
                    Assert.Equal("turn.failed", e.Event);
                    Assert.Equal("interrupted", e.Data.Str("code")); // the client is told before the server goes
                }
            }
        }
        catch (HttpRequestException) { }
        catch (IOException) { }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, server.ExitCode);

        var (restarted, newAddress) = await CliProcess.StartServerAsync(_dataDir, environment);
        try
        {
            using var after = new HttpClient { BaseAddress = newAddress };
            after.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
            var turn = await (
                await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}")
            ).JsonAsync();
            Assert.Equal("interrupted", turn.Str("status"));
            Assert.StartsWith(streamed[..60], turn.Str("narration"), StringComparison.Ordinal);
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }

    // Reads the server's own database file beside it (SQLite allows a second reader while the server writes).
    private async Task<bool> DraftSavedAsync(string? turnId)
    {
        if (turnId is null)
        {
            return false;
        }
        var file = Path.Combine(_dataDir, "storyengine.db");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM narration_drafts WHERE turn_id = $turn AND length(text) > 0";
        command.Parameters.AddWithValue("$turn", turnId);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
