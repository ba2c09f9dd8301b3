using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Changing one's password (issue 4) and the password policy at registration and change.</summary>
public abstract class PasswordApiTests(ServerFixture server)
{
    private const string NewPassword = "a different and longer passphrase";

    [Fact]
    public async Task changing_the_password_signs_out_other_sessions_and_keeps_this_one()
    {
        using var laptop = await server.CreateAccountAsync();
        using var phone = await server.SignInAsync(laptop.Username);

        var changed = await laptop.Client.PostAsJsonAsync(
            "/api/v1/me/password",
            new { currentPassword = laptop.Password, newPassword = NewPassword }
        );
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.RefreshAsync(laptop.RefreshToken)).StatusCode);
        await (await phone.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await phone.Client.RefreshAsync(phone.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );

        using var anonymous = server.CreateClient();
        await (
            await anonymous.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = laptop.Username, password = laptop.Password }
            )
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        using var again = await server.SignInAsync(laptop.Username, NewPassword);
    }

    [Fact]
    public async Task a_wrong_current_password_changes_nothing()
    {
        using var laptop = await server.CreateAccountAsync();
        using var phone = await server.SignInAsync(laptop.Username);

        var refused = await (
            await laptop.Client.PostAsJsonAsync(
                "/api/v1/me/password",
                new { currentPassword = "not my password at all", newPassword = NewPassword }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(refused.GetProperty("errors").TryGetProperty("currentPassword", out _));

        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(phone.AccessToken));
        using var stillOld = await server.SignInAsync(laptop.Username, laptop.Password);
    }

    [Theory]
    [InlineData("short", "at least 12")]
    [InlineData("Password1234", "commonly used")]
    [InlineData("correct horse battery staple", "commonly used")]
    [InlineData("QWERTYUIOP123", "commonly used")]
    [InlineData("zzzzzzzzzzzzzzzz", "one character")]
    public async Task a_weak_new_password_is_refused_with_the_reason(string weak, string reason)
    {
        using var account = await server.CreateAccountAsync();
        var refused = await (
            await account.Client.PostAsJsonAsync(
                "/api/v1/me/password",
                new { currentPassword = account.Password, newPassword = weak }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(
            reason,
            refused.GetProperty("errors").GetProperty("newPassword")[0].GetString(),
            StringComparison.Ordinal
        );
        using var stillOld = await server.SignInAsync(account.Username, account.Password);
    }

    [Fact]
    public async Task registration_refuses_common_passwords_and_the_username()
    {
        using var client = server.CreateClient();
        var name = TestAccounts.NewName("pw");
        foreach (
            var (password, reason) in new[]
            {
                ("iloveyou2024!", "commonly used"),
                (name + "  ", "not be the username"),
                ("1qaz2wsx3edc4rfv", "commonly used"),
            }
        )
        {
            var refused = await (
                await client.PostAsJsonAsync("/api/v1/auth/register", new { username = name, password })
            ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Contains(
                reason,
                refused.GetProperty("errors").GetProperty("password")[0].GetString(),
                StringComparison.Ordinal
            );
        }
        await client.PostJsonAsync("/api/v1/auth/register", new { username = name, password = TestAccounts.Password });
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PasswordApiTests_Sqlite(SqliteServerFixture server) : PasswordApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PasswordApiTests_Postgres(PostgresServerFixture server) : PasswordApiTests(server);
