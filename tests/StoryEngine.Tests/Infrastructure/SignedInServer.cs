using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// A server process for the kill and outage tests (Faults/, Cli/JobCrash*): the scripted backend, cheap passwords, no
/// rate limits, and a signed-in client.
/// </summary>
public static class SignedInServer
{
    /// <summary>The scripted backend's settings as environment variables, with cheap passwords and no rate
    /// limits.</summary>
    public static Dictionary<string, string> Environment(ScriptedBackend backend)
    {
        var environment = backend
            .Settings()
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Auth__PasswordIterations"] = "1000";
        environment["RateLimits__ApiPerMinute"] = "1000000";
        environment["RateLimits__GenerationPerMinute"] = "1000000";
        environment["RateLimits__BedtimePerMinute"] = "1000000";
        environment["RateLimits__AuthPerMinute"] = "1000000";
        return environment;
    }

    /// <summary>Starts the server on <paramref name="dataDir"/> and signs a new user in.</summary>
    public static async Task<(Process Server, HttpClient Client)> StartAsync(
        string dataDir,
        Dictionary<string, string> environment,
        string username
    )
    {
        var (server, address) = await CliProcess.StartServerAsync(dataDir, environment);
        var client = new HttpClient { BaseAddress = address };
        await client.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "a long enough password" });
        var tokens = await (
            await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "a long enough password" })
        ).JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        return (server, client);
    }

    /// <summary>Starts the server again on the same data, with a client signed in as <paramref name="before"/>
    /// was.</summary>
    public static async Task<(Process Server, HttpClient Client)> RestartAsync(
        string dataDir,
        Dictionary<string, string> environment,
        HttpClient before
    )
    {
        var (server, address) = await CliProcess.StartServerAsync(dataDir, environment);
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = before.DefaultRequestHeaders.Authorization;
        return (server, client);
    }
}
