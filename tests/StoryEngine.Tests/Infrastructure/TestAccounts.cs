using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>An account a test made, signed in once: its client sends the access token.</summary>
public sealed record TestAccount(
    string Id,
    string Username,
    string Password,
    string AccessToken,
    string RefreshToken,
    string SessionId,
    HttpClient Client
) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>Making and signing in accounts for the account-protection tests.</summary>
public static class TestAccounts
{
    public const string Password = "a long enough password";

    public static string NewName(string prefix = "u") => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Registers (over the API, or as an admin through the core since no API makes admins) and signs
    /// in.</summary>
    public static async Task<TestAccount> CreateAccountAsync(
        this ServerFixture server,
        bool admin = false,
        string? username = null,
        string? userAgent = null
    )
    {
        username ??= NewName(admin ? "adm" : "u");
        if (admin)
        {
            await server
                .Services.GetRequiredService<AccountService>()
                .RegisterAsync(username, Password, isAdmin: true, CancellationToken.None);
        }
        else
        {
            using var anonymous = server.CreateClient();
            (
                await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { username, password = Password })
            ).EnsureSuccessStatusCode();
        }
        return await server.SignInAsync(username, Password, userAgent);
    }

    /// <summary>A new session of an existing account, with a client of its own.</summary>
    public static async Task<TestAccount> SignInAsync(
        this ServerFixture server,
        string username,
        string password = Password,
        string? userAgent = null
    )
    {
        var client = server.CreateClient();
        if (userAgent is not null)
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }
        var tokens = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password })).JsonAsync();
        var access = tokens.Str("accessToken");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var me = await (await client.GetAsync("/api/v1/me")).JsonAsync();
        var sessionId = ClaimOf(access, "sid");
        return new TestAccount(me.Id(), username, password, access, tokens.Str("refreshToken"), sessionId, client);
    }

    /// <summary>A client with no credentials, or with the given access token.</summary>
    public static HttpClient ClientWith(this ServerFixture server, string? accessToken)
    {
        var client = server.CreateClient();
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return client;
    }

    public static async Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    public static async Task<HttpStatusCode> MeStatusAsync(this ServerFixture server, string accessToken)
    {
        using var client = server.ClientWith(accessToken);
        return (await client.GetAsync("/api/v1/me")).StatusCode;
    }

    /// <summary>Reads a claim from a JWT's payload; tests only, the signature is the server's business.</summary>
    public static string ClaimOf(string jwt, string claim)
    {
        var payload = jwt.Split('.')[1];
        var json = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload));
        return JsonDocument.Parse(json).RootElement.GetProperty(claim).ToString(); // numbers (iat, exp) as their digits
    }
}
