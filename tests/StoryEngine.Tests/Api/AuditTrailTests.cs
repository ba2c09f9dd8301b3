using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 4 §8 for role changes and data export: each writes an entry an admin reads at /api/v1/admin/audit, saying who
/// did it, to whom, what changed, when (on the server's clock) and from which address and user agent.
/// </summary>
public abstract class AuditTrailTests(ServerFixture server)
{
    [Fact]
    public async Task a_role_change_is_audited_with_who_what_when_and_where()
    {
        using var admin = await server.CreateAccountAsync(admin: true, userAgent: "role-admin/2.0");
        using var user = await server.CreateAccountAsync();
        var before = server.Clock.GetUtcNow();
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new { role = "admin" })
        ).EnsureSuccessStatusCode();
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new { role = "user" })
        ).EnsureSuccessStatusCode();
        var after = server.Clock.GetUtcNow();

        var entries = await EntriesAsync(admin.Client, user.Id, "user.role_changed");
        Assert.Equal(["admin->user", "user->admin"], entries.Select(e => e.Str("detail"))); // newest first
        Assert.All(entries, e =>
        {
            Assert.Equal(user.Id, e.Str("userId"));
            Assert.Equal(user.Username, e.Str("username"));
            Assert.Equal(admin.Id, e.Str("actorId"));
            Assert.Equal("127.0.0.1", e.Str("ip"));
            Assert.Equal("role-admin/2.0", e.Str("userAgent"));
            Assert.InRange(e.GetProperty("at").GetDateTimeOffset(), before.AddSeconds(-1), after.AddSeconds(1));
        });
    }

    [Fact]
    public async Task a_data_export_is_audited_and_an_admin_reads_it()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync(userAgent: "export-script/1.0");
        Assert.Empty(await EntriesAsync(admin.Client, user.Id, "account.exported"));
        var before = server.Clock.GetUtcNow();
        (await user.Client.GetAsync("/api/v1/me/export")).EnsureSuccessStatusCode();

        var entry = Assert.Single(await EntriesAsync(admin.Client, user.Id, "account.exported"));
        Assert.Equal(user.Id, entry.Str("userId"));
        Assert.Equal(user.Username, entry.Str("username"));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("actorId").ValueKind); // the account acted on itself
        Assert.Equal("127.0.0.1", entry.Str("ip"));
        Assert.Equal("export-script/1.0", entry.Str("userAgent"));
        Assert.InRange(
            entry.GetProperty("at").GetDateTimeOffset(),
            before.AddSeconds(-1),
            server.Clock.GetUtcNow().AddSeconds(1)
        );
    }

    private static async Task<JsonElement[]> EntriesAsync(HttpClient admin, string userId, string action) =>
        [
            .. (await (await admin.GetAsync($"/api/v1/admin/audit?userId={userId}&action={action}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray(),
        ];
}

[Collection(SqliteCollection.Name)]
public sealed class AuditTrailTests_Sqlite(SqliteServerFixture server) : AuditTrailTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AuditTrailTests_Postgres(PostgresServerFixture server) : AuditTrailTests(server);
