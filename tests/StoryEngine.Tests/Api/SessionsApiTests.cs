using System.Net;
using System.Net.Http.Json;
using StoryEngine.Core.Accounts;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Logout, the session list, revoking sessions and refresh-token reuse (issue 4, "sign-in
/// lifecycle").</summary>
public abstract class SessionsApiTests(ServerFixture server)
{
    [Fact]
    public async Task an_access_token_is_refused_once_its_fifteen_minutes_are_over_and_refresh_still_works()
    {
        using var account = await server.CreateAccountAsync();
        // Minted now on the server's clock: good until 15 minutes later (Auth:AccessTokenMinutes), checked on that
        // clock.
        var issuedAt = long.Parse(
            TestAccounts.ClaimOf(account.AccessToken, "iat"),
            System.Globalization.CultureInfo.InvariantCulture
        );
        var expires = long.Parse(
            TestAccounts.ClaimOf(account.AccessToken, "exp"),
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.Equal(15 * 60, expires - issuedAt);

        server.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/api/v1/me")).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        await (await account.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );

        // The session itself lives on: its refresh token buys a fresh access token, which works.
        var refreshed = await (await account.Client.RefreshAsync(account.RefreshToken)).JsonAsync();
        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(refreshed.Str("accessToken")));
        Assert.Equal(account.SessionId, TestAccounts.ClaimOf(refreshed.Str("accessToken"), "sid"));
    }

    [Fact]
    public async Task logout_ends_the_session_at_once_for_its_access_and_refresh_tokens()
    {
        using var account = await server.CreateAccountAsync();
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await account.Client.PostAsync("/api/v1/auth/logout", null)).StatusCode
        );

        await (await account.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await account.Client.RefreshAsync(account.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );
        using var anonymous = server.CreateClient();
        await (await anonymous.PostAsync("/api/v1/auth/logout", null)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "unauthorized"
        );
    }

    [Fact]
    public async Task session_list_shows_each_device_marks_the_current_one_and_never_a_token()
    {
        using var laptop = await server.CreateAccountAsync(userAgent: "laptop-browser/1.0");
        using var phone = await server.SignInAsync(laptop.Username, userAgent: "phone-app/2.0");

        var response = await laptop.Client.GetAsync("/api/v1/me/sessions");
        var body = await response.Content.ReadAsStringAsync();
        var items = (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToArray();

        Assert.Equal([phone.SessionId, laptop.SessionId], items.Select(i => i.Id())); // newest first
        var current = Assert.Single(items, i => i.GetProperty("current").GetBoolean());
        Assert.Equal(laptop.SessionId, current.Id());
        Assert.Equal("phone-app/2.0", items[0].Str("userAgent"));
        Assert.Equal("127.0.0.1", items[0].Str("ip"));
        Assert.True(items[0].GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(29));
        Assert.True(items[0].TryGetProperty("lastUsedAt", out _));
        foreach (
            var secret in new[] { laptop.RefreshToken, phone.RefreshToken, laptop.AccessToken, "refreshToken", "hash" }
        )
        {
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task revoking_another_device_stops_its_tokens_and_takes_it_off_the_list()
    {
        using var laptop = await server.CreateAccountAsync();
        using var phone = await server.SignInAsync(laptop.Username);

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await laptop.Client.DeleteAsync($"/api/v1/me/sessions/{phone.SessionId}")).StatusCode
        );

        await (await phone.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await phone.Client.RefreshAsync(phone.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );
        var left = (await (await laptop.Client.GetAsync("/api/v1/me/sessions")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray();
        Assert.Equal([laptop.SessionId], left.Select(i => i.Id()));
        await (await laptop.Client.DeleteAsync($"/api/v1/me/sessions/{phone.SessionId}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task another_users_session_does_not_exist_for_you()
    {
        using var mallory = await server.CreateAccountAsync();
        using var alice = await server.CreateAccountAsync();

        await (await mallory.Client.DeleteAsync($"/api/v1/me/sessions/{alice.SessionId}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await mallory.Client.DeleteAsync("/api/v1/me/sessions/not-an-id")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(alice.AccessToken));
        var listed = (await (await mallory.Client.GetAsync("/api/v1/me/sessions")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray();
        Assert.DoesNotContain(listed, i => i.Id() == alice.SessionId);
    }

    [Fact]
    public async Task reusing_a_rotated_refresh_token_signs_the_whole_session_out()
    {
        using var account = await server.CreateAccountAsync();
        using var otherDevice = await server.SignInAsync(account.Username);
        using var client = server.CreateClient();
        var second = await (await client.RefreshAsync(account.RefreshToken)).JsonAsync();
        var third = await (await client.RefreshAsync(second.Str("refreshToken"))).JsonAsync();
        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(third.Str("accessToken")));

        // The first token, traded long ago, shows up again: someone copied it.
        await (await client.RefreshAsync(account.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );

        await (await client.RefreshAsync(third.Str("refreshToken"))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );
        Assert.Equal(HttpStatusCode.Unauthorized, await server.MeStatusAsync(third.Str("accessToken")));
        Assert.Equal(HttpStatusCode.Unauthorized, await server.MeStatusAsync(account.AccessToken));
        // Only that session: the same user's other device is not touched.
        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(otherDevice.AccessToken));
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(otherDevice.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task two_refreshes_racing_with_one_token_leave_at_most_one_winner()
    {
        using var account = await server.CreateAccountAsync();
        using var client = server.CreateClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.RefreshAsync(account.RefreshToken)));
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) <= 1);
        // Whoever lost presented a token that had just been traded: that is reuse, so nothing of the session survives.
        foreach (var winner in answers.Where(a => a.StatusCode == HttpStatusCode.OK))
        {
            var tokens = await winner.JsonAsync();
            await (await client.RefreshAsync(tokens.Str("refreshToken"))).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_refresh_token"
            );
        }
    }

    [Fact]
    public async Task a_session_revoked_by_another_node_stops_working_within_the_check_interval()
    {
        using var account = await server.CreateAccountAsync();
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/api/v1/me")).StatusCode);

        // Straight in the database, as another node or the CLI would: this process is not told.
        var store = server.Services.GetRequiredService<ISessionStore>();
        Assert.True(
            await store.RevokeAsync(account.Id, account.SessionId, server.Clock.GetUtcNow(), CancellationToken.None)
        );

        server.Clock.Advance(TimeSpan.FromSeconds(6)); // Auth:SessionCheckSeconds is 5
        await (await account.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SessionsApiTests_Sqlite(SqliteServerFixture server) : SessionsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class SessionsApiTests_Postgres(PostgresServerFixture server) : SessionsApiTests(server);
