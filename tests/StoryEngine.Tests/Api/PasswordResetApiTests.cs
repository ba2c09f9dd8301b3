using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Audit;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Password reset by one-time token (issue 4 §1) on the shared servers, where no SMTP is configured.</summary>
public abstract class PasswordResetApiTests(ServerFixture server)
{
    private const string NewPassword = "a brand new reset passphrase";

    [Fact]
    public async Task a_request_answers_the_same_whether_or_not_the_account_exists()
    {
        using var withEmail = await server.CreateAccountAsync();
        using var withoutEmail = await server.CreateAccountAsync();
        var address = $"{withEmail.Username}@example.test";
        (
            await withEmail.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = address, password = withEmail.Password }
            )
        ).EnsureSuccessStatusCode();
        var outbox = server.Services.GetRequiredService<IOutbox>();
        var before = await outbox.CountUnsentAsync(CancellationToken.None);

        using var anonymous = server.CreateClient();
        var bodies = new List<string>();
        foreach (
            var body in new object[]
            {
                new { username = withEmail.Username },
                new { username = address.ToUpperInvariant() },
                new { email = address },
                new { username = withoutEmail.Username },
                new { username = TestAccounts.NewName("ghost") },
                new { username = "ghost@example.test" },
            }
        )
        {
            var response = await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Single(bodies.Distinct());
        // Three mails for the account with an address (by name, by address in any case), none for the others.
        Assert.Equal(before + 3, await outbox.CountUnsentAsync(CancellationToken.None));
        Assert.Contains(await server.AuditOfAsync(withoutEmail.Id), e =>
            e.Action == AuditActions.PasswordResetRequested
            && e.Detail!.StartsWith("no email", StringComparison.Ordinal)
        );
        Assert.Contains(await server.AuditOfAsync(withEmail.Id), e =>
            e.Action == AuditActions.PasswordResetRequested && e.Detail == "mail queued"
        );

        await (
            await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", new { username = "" })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task a_reset_token_sets_the_password_once_and_signs_out_every_session()
    {
        using var account = await server.CreateAccountAsync();
        using var phone = await server.SignInAsync(account.Username);
        var token = (
            await server
                .Services.GetRequiredService<PasswordResetService>()
                .IssueLinkAsync(account.Username, CancellationToken.None)
        ).Token;
        using var anonymous = server.CreateClient();

        // A weak password is refused and the token survives for a better one.
        await (await Confirm(anonymous, token, "short")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.Equal(HttpStatusCode.OK, await server.MeStatusAsync(phone.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, (await Confirm(anonymous, token, NewPassword)).StatusCode);
        await (await phone.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await account.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await anonymous.RefreshAsync(account.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );
        await (
            await anonymous.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = account.Username, password = account.Password }
            )
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        using var again = await server.SignInAsync(account.Username, NewPassword);

        await (await Confirm(anonymous, token, "yet another new passphrase")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_reset_token"
        );
        using var stillNew = await server.SignInAsync(account.Username, NewPassword);
        var actions = (await server.AuditOfAsync(account.Id)).Select(e => e.Action).ToArray();
        Assert.Contains(AuditActions.PasswordResetIssued, actions);
        Assert.Contains(AuditActions.PasswordResetCompleted, actions);
    }

    [Fact]
    public async Task an_expired_or_unknown_token_changes_nothing()
    {
        using var account = await server.CreateAccountAsync();
        var token = (
            await server
                .Services.GetRequiredService<PasswordResetService>()
                .IssueLinkAsync(account.Username, CancellationToken.None)
        ).Token;
        using var anonymous = server.CreateClient();
        await (await Confirm(anonymous, "pr_" + new string('x', 43), NewPassword)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_reset_token"
        );
        await (await Confirm(anonymous, null, NewPassword)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_reset_token"
        );
        server.Clock.Advance(TimeSpan.FromMinutes(31));
        await (await Confirm(anonymous, token, NewPassword)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_reset_token"
        );
        using var oldStillWorks = await server.SignInAsync(account.Username, account.Password);
        var failed = await server
            .Services.GetRequiredService<IAuditLog>()
            .ListAsync(AuditQuery.From(10, null, null, AuditActions.PasswordResetFailed), CancellationToken.None);
        Assert.NotEmpty(failed.Items);
    }

    [Fact]
    public async Task the_reset_address_is_set_with_the_password()
    {
        using var account = await server.CreateAccountAsync();
        var address = $"{account.Username}@Example.test";
        var wrong = await (
            await account.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = address, password = "not the password" }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(wrong.GetProperty("errors").TryGetProperty("password", out _));
        var invalid = await (
            await account.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = "Ada <ada@example.test>", password = account.Password }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(invalid.GetProperty("errors").TryGetProperty("email", out _));
        Assert.Equal(
            JsonValueKind.Null,
            (await account.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/email")).GetProperty("email").ValueKind
        );

        var set = await (
            await account.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = address, password = account.Password }
            )
        ).JsonAsync();
        Assert.Equal(address.ToLowerInvariant(), set.Str("email"));
        using var other = await server.CreateAccountAsync();
        await (
            await other.Client.PutAsJsonAsync("/api/v1/me/email", new { email = address, password = other.Password })
        ).AssertProblemAsync(HttpStatusCode.Conflict, "email_taken");
        var cleared = await (
            await account.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = (string?)null, password = account.Password }
            )
        ).JsonAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("email").ValueKind);
    }

    private static Task<HttpResponseMessage> Confirm(HttpClient client, string? token, string newPassword) =>
        client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword });
}

[Collection(SqliteCollection.Name)]
public sealed class PasswordResetApiTests_Sqlite(SqliteServerFixture server) : PasswordResetApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PasswordResetApiTests_Postgres(PostgresServerFixture server) : PasswordResetApiTests(server);
