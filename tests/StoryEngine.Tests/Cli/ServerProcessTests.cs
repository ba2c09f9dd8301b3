using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>`storyengine serve` as a real process: killed without warning, or asked to stop, it loses nothing it confirmed.</summary>
public sealed partial class ServerProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "storyengine-serve", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task confirmed_writes_survive_the_server_being_killed()
    {
        var (server, address) = await StartAsync();
        string worldId;
        string token;
        using (var client = new HttpClient { BaseAddress = address })
        {
            await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "survivor", password = "a long enough password" });
            var tokens = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "survivor", password = "a long enough password" })).JsonAsync();
            token = tokens.Str("accessToken");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            worldId = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Written before the crash" })).Id();
        }
        server.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flushing
        await server.WaitForExitAsync();

        var (restarted, newAddress) = await StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = newAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token); // the signing key survived too
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
        var (server, address) = await StartAsync();
        using (var client = new HttpClient { BaseAddress = address })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        }
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, server.ExitCode);
    }

    private async Task<(Process Process, Uri Address)> StartAsync()
    {
        var process = CliProcess.Start(["serve", "--data-dir", _dataDir, "--urls", "http://127.0.0.1:0"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep draining so the pipe never blocks the server
                return (process, new Uri(match.Groups[1].Value));
            }
        }
        throw new InvalidOperationException("The server exited before it listened: " + await process.StandardError.ReadToEndAsync(timeout.Token));
    }

    [GeneratedRegex("Now listening on: (http://[0-9.:]+)")]
    private static partial Regex ListeningOn();

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
