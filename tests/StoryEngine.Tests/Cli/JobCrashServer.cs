using System.Diagnostics;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>A server process for the kill-and-restart tests of background jobs: short leases, quick polling, a
/// signed-in client.</summary>
public static class JobCrashServer
{
    /// <summary>The shared fault-test environment (<see cref="SignedInServer"/>) with a 2 s lease and a 0.2 s
    /// poll.</summary>
    public static Dictionary<string, string> Environment(ScriptedBackend backend)
    {
        var environment = SignedInServer.Environment(backend);
        environment["Jobs__LeaseSeconds"] = "2";
        environment["Jobs__PollIntervalSeconds"] = "0.2";
        return environment;
    }

    /// <summary>Starts the server on <paramref name="dataDir"/> and signs a new user in.</summary>
    public static Task<(Process Server, HttpClient Client)> StartSignedInAsync(
        string dataDir,
        Dictionary<string, string> environment,
        string username
    ) => SignedInServer.StartAsync(dataDir, environment, username);

    /// <summary>
    /// Kills <paramref name="server"/> (SIGKILL), starts it again on the same data, and waits until job
    /// <paramref name="jobId"/> has succeeded on its second attempt (the killed run and this one). Returns the new
    /// process and a client with the same sign-in as <paramref name="before"/>.
    /// </summary>
    public static async Task<(Process Server, HttpClient Client)> KillAndRerunAsync(
        Process server,
        string dataDir,
        Dictionary<string, string> environment,
        HttpClient before,
        string jobId
    )
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        var (restarted, address) = await CliProcess.StartServerAsync(dataDir, environment);
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = before.DefaultRequestHeaders.Authorization;
        try
        {
            JsonElement finished = default;
            await Poll.UntilAsync(
                async () =>
                {
                    finished = await (await client.GetAsync($"/api/v1/jobs/{jobId}")).JsonAsync();
                    return finished.Str("state") == "succeeded";
                },
                $"job {jobId} did not run again after the restart"
            );
            Assert.True(finished.GetProperty("attempts").GetInt32() == 2, finished.GetRawText());
            return (restarted, client);
        }
        catch
        {
            restarted.Kill(entireProcessTree: true);
            client.Dispose();
            throw;
        }
    }
}
