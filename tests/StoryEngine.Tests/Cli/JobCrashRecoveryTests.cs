using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// The server process is killed (SIGKILL) while a world state job waits for the utility model. After a restart the
/// job's lease runs out, it runs again, and its change is recorded exactly once.
/// </summary>
public sealed class JobCrashRecoveryTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "storyengine-crash", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task a_job_cut_off_by_a_kill_runs_again_after_a_restart_and_completes_once()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var marker = "crashjob" + Guid.NewGuid().ToString("N")[..8];
        backend.ScriptStructured(marker, ScriptedBackend.Hang,
            JsonSerializer.Serialize(new { timeOfDay = "midnight", newCharacters = Array.Empty<string>(), characters = Array.Empty<object>(), quests = Array.Empty<object>() }));
        var environment = backend.Settings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Jobs__LeaseSeconds"] = "2";
        environment["Jobs__PollIntervalSeconds"] = "0.2";

        var (server, address) = await CliProcess.StartServerAsync(_dataDir, environment);
        using var client = new HttpClient { BaseAddress = address };
        await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "jobcrash", password = "a long enough password" });
        var tokens = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "jobcrash", password = "a long enough password" })).JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, marker + " the clock strikes");

        // Kill the server while the job waits for the model's answer.
        await WaitUntilAsync(() => backend.StructuredRequestsContaining(marker).Count == 1, "the state job never asked the model");
        var job = Assert.Single((await (await client.GetAsync($"/api/v1/jobs?adventureId={setup.AdventureId}")).JsonAsync()).GetProperty("items").EnumerateArray(), j => j.Str("type") == "state.extract");
        Assert.Equal("running", job.Str("state"));
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();

        var (restarted, newAddress) = await CliProcess.StartServerAsync(_dataDir, environment);
        try
        {
            using var after = new HttpClient { BaseAddress = newAddress };
            after.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
            JsonElement finished = default;
            await WaitUntilAsync(async () =>
            {
                finished = await (await after.GetAsync($"/api/v1/jobs/{job.Id()}")).JsonAsync();
                return finished.Str("state") == "succeeded";
            }, "the job did not run again after the restart");
            Assert.True(finished.GetProperty("attempts").GetInt32() == 2, finished.GetRawText()); // the killed run and this one
            Assert.Equal(2, backend.StructuredRequestsContaining(marker).Count);

            var state = await (await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/state")).JsonAsync();
            Assert.Equal("midnight", state.GetProperty("state").Str("timeOfDay"));
            var events = await (await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")).JsonAsync();
            Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.Str("type") == "StateChanged");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
