using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Roles, the admin endpoints and the audit log (issue 4).</summary>
public abstract class AdminApiTests(ServerFixture server)
{
    [Fact]
    public async Task non_admins_get_403_forbidden_and_admins_get_through()
    {
        using var user = await server.CreateAccountAsync();
        using var admin = await server.CreateAccountAsync(admin: true);
        var refused = await (await user.Client.GetAsync("/api/v1/admin/users")).AssertProblemAsync(
            HttpStatusCode.Forbidden,
            "forbidden"
        );
        Assert.Contains("admin", refused.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync("/api/v1/admin/users")).StatusCode);
        Assert.True(
            (await (await admin.Client.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("isAdmin").GetBoolean()
        );
    }

    [Fact]
    public async Task admin_lists_users_in_pages_and_finds_them_by_name()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        var prefix = TestAccounts.NewName("grp");
        var made = new List<TestAccount>();
        for (var i = 0; i < 3; i++)
        {
            made.Add(await server.CreateAccountAsync(username: $"{prefix}-{i}"));
        }

        var first = await admin.Client.GetAsync($"/api/v1/admin/users?q={prefix}&limit=2");
        var page1 = await first.JsonAsync();
        Assert.Contains("rel=\"next\"", first.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        var page2 = await (
            await admin.Client.GetAsync($"/api/v1/admin/users?q={prefix}&limit=2&cursor={page1.Str("nextCursor")}")
        ).JsonAsync();
        var listed = page1
            .GetProperty("items")
            .EnumerateArray()
            .Concat(page2.GetProperty("items").EnumerateArray())
            .ToArray();
        Assert.Equal(made.Select(m => m.Id), listed.Select(u => u.Id()));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);
        Assert.All(listed, u => Assert.Equal("user", u.Str("role")));
        Assert.All(listed, u => Assert.False(u.GetProperty("disabled").GetBoolean()));
        Assert.DoesNotContain("pbkdf2", page1.ToString(), StringComparison.Ordinal);
        made.ForEach(m => m.Dispose());
    }

    [Fact]
    public async Task a_disabled_user_cannot_sign_in_and_their_tokens_stop_until_enabled()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        using var anonymous = server.CreateClient();

        var disabled = await (await admin.Client.PostAsync($"/api/v1/admin/users/{user.Id}/disable", null)).JsonAsync();
        Assert.True(disabled.GetProperty("disabled").GetBoolean());

        await (await user.Client.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        await (await anonymous.RefreshAsync(user.RefreshToken)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_refresh_token"
        );
        await (
            await anonymous.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = user.Username, password = user.Password }
            )
        ).AssertProblemAsync(HttpStatusCode.Forbidden, "account_disabled");
        // Only the right password learns that the account is disabled.
        await (
            await anonymous.PostAsJsonAsync(
                "/api/v1/auth/login",
                new { username = user.Username, password = "a wrong password here" }
            )
        ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var enabled = await (await admin.Client.PostAsync($"/api/v1/admin/users/{user.Id}/enable", null)).JsonAsync();
        Assert.False(enabled.GetProperty("disabled").GetBoolean());
        using var back = await server.SignInAsync(user.Username);
        // old sessions stay ended
        Assert.Equal(HttpStatusCode.Unauthorized, await server.MeStatusAsync(user.AccessToken));
    }

    [Fact]
    public async Task a_role_change_applies_to_live_sessions_and_admins_cannot_change_themselves()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        await (await user.Client.GetAsync("/api/v1/admin/users")).AssertProblemAsync(
            HttpStatusCode.Forbidden,
            "forbidden"
        );

        var promoted = await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new { role = "admin" })
        ).JsonAsync();
        Assert.Equal("admin", promoted.Str("role"));
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/admin/users")).StatusCode); // same token

        await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new { role = "user" })
        ).JsonAsync();
        await (await user.Client.GetAsync("/api/v1/admin/users")).AssertProblemAsync(
            HttpStatusCode.Forbidden,
            "forbidden"
        );

        await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new { role = "owner" })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{admin.Id}/role", new { role = "user" })
        ).AssertProblemAsync(HttpStatusCode.Conflict, "cannot_change_self");
        await (await admin.Client.PostAsync($"/api/v1/admin/users/{admin.Id}/disable", null)).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "cannot_change_self"
        );
        await (
            await admin.Client.PostAsync("/api/v1/admin/users/00000000-0000-0000-0000-000000000000/disable", null)
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task the_audit_log_records_the_sign_in_lifecycle_newest_first_without_secrets()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var anonymous = server.CreateClient();
        anonymous.DefaultRequestHeaders.UserAgent.ParseAdd("audit-probe/1.0");
        const string wrong = "wrong-password-never-logged";
        const string newPassword = "a fresh passphrase for audit";

        using var user = await server.CreateAccountAsync();
        await anonymous.PostAsJsonAsync(
            "/api/v1/auth/login",
            new { username = user.Username.ToUpperInvariant(), password = wrong }
        );
        var rotated = await (await anonymous.RefreshAsync(user.RefreshToken)).JsonAsync();
        await anonymous.RefreshAsync(user.RefreshToken); // reuse: that session ends
        using var laptop = await server.SignInAsync(user.Username);
        using var phone = await server.SignInAsync(user.Username);
        await laptop.Client.DeleteAsync($"/api/v1/me/sessions/{phone.SessionId}");
        await laptop.Client.PostAsJsonAsync(
            "/api/v1/me/password",
            new { currentPassword = user.Password, newPassword }
        );
        await laptop.Client.PostAsync("/api/v1/auth/logout", null);
        await admin.Client.PostAsync($"/api/v1/admin/users/{user.Id}/disable", null);
        await admin.Client.PostAsync($"/api/v1/admin/users/{user.Id}/enable", null);

        var response = await admin.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}");
        var body = await response.Content.ReadAsStringAsync();
        var entries = (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(
            [
                "user.enabled",
                "user.disabled",
                "auth.logout",
                "password.changed",
                "session.revoked",
                "auth.login.succeeded",
                "auth.login.succeeded",
                "auth.refresh.reused",
                "auth.login.failed",
                "auth.login.succeeded",
                "account.created",
            ],
            entries.Select(e => e.Str("action"))
        );
        foreach (
            var secret in new[]
            {
                wrong,
                newPassword,
                user.Password,
                user.RefreshToken,
                rotated.Str("refreshToken"),
                user.AccessToken,
            }
        )
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }

        var failed = entries.Single(e => e.Str("action") == "auth.login.failed");
        Assert.Equal(user.Username.ToUpperInvariant(), failed.Str("username")); // as typed
        Assert.Equal("127.0.0.1", failed.Str("ip"));
        Assert.Equal("audit-probe/1.0", failed.Str("userAgent"));
        Assert.Equal(admin.Id, entries[0].Str("actorId"));
        Assert.Contains(
            phone.SessionId,
            entries.Single(e => e.Str("action") == "session.revoked").Str("detail"),
            StringComparison.Ordinal
        );

        var filtered = await (
            await admin.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}&action=auth.login.succeeded&limit=2")
        ).JsonAsync();
        Assert.Equal(2, filtered.GetProperty("items").GetArrayLength());
        var rest = await (
            await admin.Client.GetAsync(
                $"/api/v1/admin/audit?userId={user.Id}&action=auth.login.succeeded&limit=2"
                    + $"&cursor={filtered.Str("nextCursor")}"
            )
        ).JsonAsync();
        Assert.Equal(1, rest.GetProperty("items").GetArrayLength());

        await (await admin.Client.GetAsync("/api/v1/admin/audit?action=no.such.action")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
    }

    [Fact]
    public async Task failed_sign_ins_for_names_that_do_not_exist_are_audited_as_typed()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var anonymous = server.CreateClient();
        var ghost = TestAccounts.NewName("Ghost");
        await anonymous.PostAsJsonAsync(
            "/api/v1/auth/login",
            new { username = ghost, password = "whatever it may be" }
        );

        var entries = (
            await (await admin.Client.GetAsync("/api/v1/admin/audit?action=auth.login.failed&limit=200")).JsonAsync()
        )
            .GetProperty("items")
            .EnumerateArray();
        var entry = Assert.Single(entries, e => e.TryGetProperty("username", out var u) && u.GetString() == ghost);
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("userId").ValueKind);
    }

    [Fact]
    public async Task the_database_refuses_to_change_or_delete_audit_entries()
    {
        using var account = await server.CreateAccountAsync(); // writes at least two entries
        var provider = server.Services.GetRequiredService<IStorageProvider>();
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<DbException>(() =>
            connection.ExecuteAsync("UPDATE audit_log SET action = 'x' " + "WHERE user_id = @Id", new { account.Id })
        );
        await Assert.ThrowsAnyAsync<DbException>(() =>
            connection.ExecuteAsync("DELETE FROM audit_log WHERE user_id " + "= @Id", new { account.Id })
        );
        Assert.True(
            await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM audit_log WHERE user_id = " + "@Id",
                new { account.Id }
            ) >= 2
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AdminApiTests_Sqlite(SqliteServerFixture server) : AdminApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AdminApiTests_Postgres(PostgresServerFixture server) : AdminApiTests(server);
