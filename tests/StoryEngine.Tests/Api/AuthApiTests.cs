using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class AuthApiTests(ServerFixture server)
{
    private const string Password = "a long enough password";

    [Fact]
    public async Task register_then_login_gives_tokens_that_open_the_api()
    {
        using var client = server.CreateClient();
        var name = "ada" + Guid.NewGuid().ToString("N")[..8];
        var user = await client.PostJsonAsync("/api/v1/auth/register", new { username = name, password = Password });
        Assert.Equal(name, user.Str("username"));
        Assert.False(user.TryGetProperty("passwordHash", out _));

        var tokens = await client.PostJsonAsync(
            "/api/v1/auth/login",
            new { username = name.ToUpperInvariant(), password = Password },
            HttpStatusCode.OK
        );
        Assert.Equal("Bearer", tokens.Str("tokenType"));
        Assert.Equal(15 * 60, tokens.GetProperty("expiresIn").GetInt32());
        Assert.StartsWith("rt_", tokens.Str("refreshToken"), StringComparison.Ordinal);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("accessToken"));
        var me = await (await client.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(user.Id(), me.Id());
    }

    [Fact]
    public async Task every_api_route_without_a_token_answers_401_problem()
    {
        using var client = server.CreateClient();
        foreach (
            var path in new[]
            {
                "/api/v1/worlds",
                "/api/v1/personas",
                "/api/v1/me",
                "/api/v1/worlds/x/characters",
                "/api/v1/worlds/x/locations/y",
            }
        )
        {
            var response = await client.GetAsync(path);
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        await (await client.PostAsJsonAsync("/api/v1/worlds", new { name = "x" })).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "unauthorized"
        );
    }

    [Fact]
    public async Task forged_or_garbled_tokens_are_refused()
    {
        using var client = server.CreateClient();
        var forged =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJzdWIiOiJ4IiwiaXNzIjoic3RvcnllbmdpbmUiLCJhdWQiOiJzdG9yeWVuZ2luZS1hcGkiLCJleHAiOjQxMDI0NDQ4MDB9"
            + ".c2lnbmF0dXJl";
        foreach (var token in new[] { "garbage", forged, "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/worlds");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/v1/worlds");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YTpi");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(basic)).StatusCode);
    }

    [Fact]
    public async Task wrong_password_and_unknown_user_get_the_same_answer()
    {
        using var client = server.CreateClient();
        var name = "bo" + Guid.NewGuid().ToString("N")[..8];
        await client.PostJsonAsync("/api/v1/auth/register", new { username = name, password = Password });
        var wrong = await (
            await client.PostAsJsonAsync("/api/v1/auth/login", new { username = name, password = "not the password" })
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknown = await (
            await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody" + name, password = Password })
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrong.Str("detail"), unknown.Str("detail"));
    }

    [Fact]
    public async Task usernames_are_unique_ignoring_case_and_passwords_must_be_long()
    {
        using var client = server.CreateClient();
        var name = "Cy" + Guid.NewGuid().ToString("N")[..8];
        await client.PostJsonAsync("/api/v1/auth/register", new { username = name, password = Password });
        await (
            await client.PostAsJsonAsync(
                "/api/v1/auth/register",
                new { username = name.ToLowerInvariant(), password = Password }
            )
        ).AssertProblemAsync(HttpStatusCode.Conflict, "username_taken");

        var weak = await (
            await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "x" + name, password = "short" })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(weak.GetProperty("errors").TryGetProperty("password", out _));

        var badName = await (
            await client.PostAsJsonAsync(
                "/api/v1/auth/register",
                new { username = "no spaces allowed", password = Password }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(badName.GetProperty("errors").TryGetProperty("username", out _));
    }

    [Fact]
    public async Task refresh_token_works_once_and_rotates()
    {
        using var client = server.CreateClient();
        var name = "di" + Guid.NewGuid().ToString("N")[..8];
        await client.PostJsonAsync("/api/v1/auth/register", new { username = name, password = Password });
        var first = await client.PostJsonAsync(
            "/api/v1/auth/login",
            new { username = name, password = Password },
            HttpStatusCode.OK
        );

        var second = await client.PostJsonAsync(
            "/api/v1/auth/refresh",
            new { refreshToken = first.Str("refreshToken") },
            HttpStatusCode.OK
        );
        Assert.NotEqual(first.Str("refreshToken"), second.Str("refreshToken"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", second.Str("accessToken"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        // Using it again is refused (and, since issue 4, signs the session out: SessionsApiTests).
        await (
            await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.Str("refreshToken") })
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AuthApiTests_Sqlite(SqliteServerFixture server) : AuthApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AuthApiTests_Postgres(PostgresServerFixture server) : AuthApiTests(server);
