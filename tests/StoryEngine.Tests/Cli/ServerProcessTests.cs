using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>`storyengine serve` as a real process: killed without warning, or asked to stop, it loses nothing it
/// confirmed.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-serve",
        Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task confirmed_writes_survive_the_server_being_killed()
    {
        var (server, address) = await CliProcess.StartServerAsync(_dataDir);
        string worldId;
        string token;
        using (var client = new HttpClient { BaseAddress = address })
        {
            await client.PostAsJsonAsync(
                "/api/v1/auth/register",
                new { username = "survivor", password = "a long enough password" }
            );
            var tokens = await (
                await client.PostAsJsonAsync(
                    "/api/v1/auth/login",
                    new { username = "survivor", password = "a long enough password" }
                )
            ).JsonAsync();
            token = tokens.Str("accessToken");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            worldId = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Written before the crash" })).Id();
        }
        server.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flushing
        await server.WaitForExitAsync();

        var (restarted, newAddress) = await CliProcess.StartServerAsync(_dataDir);
        try
        {
            using var client = new HttpClient { BaseAddress = newAddress };
            // the signing key survived too
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var world = await (await client.GetAsync($"/api/v1/worlds/{worldId}")).JsonAsync();
            Assert.Equal("Written before the crash", world.Str("name"));
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task sigterm_stops_the_server_gracefully_with_exit_code_0()
    {
        var (server, address) = await CliProcess.StartServerAsync(_dataDir);
        using (var client = new HttpClient { BaseAddress = address })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        }
        using (
            var kill = Process.Start(
                "kill",
                ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            )
        )
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, server.ExitCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
