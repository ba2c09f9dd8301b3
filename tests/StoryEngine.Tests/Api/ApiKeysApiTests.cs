using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Audit;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>API keys (issue 4 §3): shown once, stored hashed, scoped, revocable, refused when their owner or they
/// lapse.</summary>
public abstract class ApiKeysApiTests(ServerFixture server)
{
    [Fact]
    public async Task a_key_is_shown_once_listed_without_its_secret_works_and_stops_when_revoked()
    {
        using var owner = await server.CreateAccountAsync();
        var created = await owner.Client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new { name = "backup script", scopes = new[] { "read" } }
        );
        var key = created.Str("key");
        Assert.Matches("^se_[a-z2-9]{12}_[A-Za-z0-9_-]{43}$", key);
        Assert.StartsWith(created.Str("prefix") + "_", key, StringComparison.Ordinal);

        var listBody = await owner.Client.GetStringAsync("/api/v1/me/api-keys");
        Assert.DoesNotContain(key[^43..], listBody, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listBody).RootElement.EnumerateArray().Single();
        Assert.Equal(created.Id(), listed.Id());
        Assert.Equal("backup script", listed.Str("name"));
        Assert.Equal(created.Str("prefix"), listed.Str("prefix"));
        Assert.Equal(["read"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.False(listed.TryGetProperty("keyHash", out _));

        using var script = server.ClientWith(key);
        var me = await (await script.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(owner.Id, me.Id());

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await owner.Client.DeleteAsync($"/api/v1/me/api-keys/{created.Id()}")).StatusCode
        );
        await (await script.GetAsync("/api/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Empty((await owner.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/api-keys")).EnumerateArray());
        await (await owner.Client.DeleteAsync($"/api/v1/me/api-keys/{created.Id()}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        var actions = (await server.AuditOfAsync(owner.Id)).Select(e => e.Action).ToArray();
        Assert.Contains(AuditActions.ApiKeyCreated, actions);
        Assert.Contains(AuditActions.ApiKeyRevoked, actions);
        Assert.DoesNotContain(await server.AuditOfAsync(owner.Id), e =>
            e.Detail?.Contains(key[^43..], StringComparison.Ordinal) == true
        );
    }

    [Fact]
    public async Task another_users_key_cannot_be_revoked_and_a_forged_key_is_refused()
    {
        using var owner = await server.CreateAccountAsync();
        using var stranger = await server.CreateAccountAsync();
        var created = await owner.Client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new { name = "mine", scopes = new[] { "read" } }
        );
        await (await stranger.Client.DeleteAsync($"/api/v1/me/api-keys/{created.Id()}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        var key = created.Str("key");
        var forged = key[..^4] + (key[^4..] == "AAAA" ? "BBBB" : "AAAA");
        foreach (var bad in new[] { forged, "se_short", key + "x" })
        {
            using var client = server.ClientWith(bad);
            await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_token"
            );
        }
        using var real = server.ClientWith(key);
        Assert.Equal(HttpStatusCode.OK, (await real.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task each_scope_opens_only_its_own_routes()
    {
        using var owner = await server.CreateAccountAsync();
        var world = (await owner.Client.PostJsonAsync("/api/v1/worlds", new { name = "Scoped world" })).Id();
        using var read = server.ClientWith(await KeyAsync(owner, "read"));
        using var write = server.ClientWith(await KeyAsync(owner, "write"));
        using var play = server.ClientWith(await KeyAsync(owner, "play"));

        // read: GET only.
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/worlds")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync($"/api/v1/worlds/{world}")).StatusCode);
        await AssertScopeAsync(await read.PostAsJsonAsync("/api/v1/worlds", new { name = "No" }), "write");
        await AssertScopeAsync(await read.PostAsJsonAsync("/api/v1/adventures", new { worldId = world }), "play");

        // write: world building, not playing, not reading.
        var made = await write.PostJsonAsync("/api/v1/worlds", new { name = "Built by a script" });
        Assert.Equal(
            HttpStatusCode.Created,
            (await write.PostAsJsonAsync($"/api/v1/worlds/{made.Id()}/locations", new { name = "Gate" })).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Created,
            (await write.PostAsJsonAsync("/api/v1/personas", new { name = "Scripted" })).StatusCode
        );
        await AssertScopeAsync(await write.GetAsync("/api/v1/worlds"), "read");
        await AssertScopeAsync(await write.PostAsJsonAsync("/api/v1/adventures", new { worldId = world }), "play");

        // play: adventures and turns, not world building.
        var adventure = await play.PostJsonAsync("/api/v1/adventures", new { worldId = world });
        await AdventureTestData.TakeTurnAsync(play, adventure.Id(), "I open the door");
        await AssertScopeAsync(await play.PostAsJsonAsync("/api/v1/worlds", new { name = "No" }), "write");
        await AssertScopeAsync(await play.DeleteAsync($"/api/v1/worlds/{world}"), "write");

        // No key may manage the account, whatever its scopes.
        using var all = server.ClientWith(await KeyAsync(owner, "read", "write", "play"));
        foreach (
            var response in new[]
            {
                await all.PostAsJsonAsync("/api/v1/me/api-keys", new { name = "more", scopes = new[] { "read" } }),
                await all.PostAsJsonAsync(
                    "/api/v1/me/password",
                    new { currentPassword = owner.Password, newPassword = "a key must not do this" }
                ),
                await all.PostAsJsonAsync("/api/v1/me/2fa", new { }),
                await all.PostAsync("/api/v1/auth/logout", null),
            }
        )
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
            Assert.Contains("Sign in with your password", problem.Str("detail"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task the_admin_scope_works_only_for_an_admin_and_only_while_they_are_one()
    {
        using var user = await server.CreateAccountAsync();
        var refused = await (
            await user.Client.PostAsJsonAsync(
                "/api/v1/me/api-keys",
                new { name = "sneaky", scopes = new[] { "admin" } }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(refused.GetProperty("errors").TryGetProperty("scopes", out _));

        using var admin = await server.CreateAccountAsync(admin: true);
        using var adminKey = server.ClientWith(await KeyAsync(admin, "admin"));
        using var readKey = server.ClientWith(await KeyAsync(admin, "read"));
        Assert.Equal(HttpStatusCode.OK, (await adminKey.GetAsync("/api/v1/admin/users")).StatusCode);
        await AssertScopeAsync(await readKey.GetAsync("/api/v1/admin/users"), "admin");
        // An admin-only key reads nothing else.
        await AssertScopeAsync(await adminKey.GetAsync("/api/v1/worlds"), "read");

        using var otherAdmin = await server.CreateAccountAsync(admin: true);
        (
            await otherAdmin.Client.PutAsJsonAsync($"/api/v1/admin/users/{admin.Id}/role", new { role = "user" })
        ).EnsureSuccessStatusCode();
        await (await adminKey.GetAsync("/api/v1/admin/users")).AssertProblemAsync(
            HttpStatusCode.Forbidden,
            "forbidden"
        );
    }

    [Fact]
    public async Task a_key_stops_working_when_its_owner_is_disabled_or_it_expires()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var owner = await server.CreateAccountAsync();
        using var key = server.ClientWith(await KeyAsync(owner, "read"));
        var expiring = await owner.Client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new
            {
                name = "short-lived",
                scopes = new[] { "read" },
                expiresAt = server.Clock.GetUtcNow().AddHours(1),
            }
        );
        using var shortLived = server.ClientWith(expiring.Str("key"));
        Assert.Equal(HttpStatusCode.OK, (await shortLived.GetAsync("/api/v1/me")).StatusCode);

        server.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await (await shortLived.GetAsync("/api/v1/me")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_token"
        );
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/me")).StatusCode);
        using var freshOwner = await server.SignInAsync(owner.Username);
        var listed = (await freshOwner.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/api-keys"))
            .EnumerateArray()
            .Single(k => k.Id() == expiring.Id());
        Assert.True(listed.GetProperty("expired").GetBoolean());

        using var freshAdmin = await server.SignInAsync(admin.Username);
        (await freshAdmin.Client.PostAsync($"/api/v1/admin/users/{owner.Id}/disable", null)).EnsureSuccessStatusCode();
        await (await key.GetAsync("/api/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
        (await freshAdmin.Client.PostAsync($"/api/v1/admin/users/{owner.Id}/enable", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [InlineData("{\"scopes\":[\"read\"]}", "name")]
    [InlineData("{\"name\":\"x\",\"scopes\":[]}", "scopes")]
    [InlineData("{\"name\":\"x\"}", "scopes")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"delete\"]}", "scopes")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"read\"],\"expiresAt\":\"2001-01-01T00:00:00Z\"}", "expiresAt")]
    public async Task bad_key_requests_are_refused_by_field(string body, string field)
    {
        using var owner = await server.CreateAccountAsync();
        var problem = await (
            await owner.Client.PostAsync(
                "/api/v1/me/api-keys",
                new StringContent(body, System.Text.Encoding.UTF8, "application/json")
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty((await owner.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/api-keys")).EnumerateArray());
    }

    [Fact]
    public async Task last_used_is_written_at_most_once_a_minute()
    {
        using var owner = await server.CreateAccountAsync();
        var created = await owner.Client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new { name = "busy", scopes = new[] { "read" } }
        );
        using var key = server.ClientWith(created.Str("key"));
        Assert.Equal(JsonValueKind.Null, (await ListedAsync(owner, created.Id())).GetProperty("lastUsedAt").ValueKind);

        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/me")).StatusCode);
        var first = (await ListedAsync(owner, created.Id())).GetProperty("lastUsedAt").GetDateTimeOffset();
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(first, (await ListedAsync(owner, created.Id())).GetProperty("lastUsedAt").GetDateTimeOffset());

        server.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/me")).StatusCode);
        Assert.True(
            (await ListedAsync(owner, created.Id())).GetProperty("lastUsedAt").GetDateTimeOffset()
                >= first.AddSeconds(61)
        );
    }

    private async Task<JsonElement> ListedAsync(TestAccount owner, string id)
    {
        // Signed in afresh: the clock may have moved past the first access token's life.
        using var fresh = await server.SignInAsync(owner.Username);
        return (await fresh.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/api-keys"))
            .EnumerateArray()
            .Single(k => k.Id() == id);
    }

    private static async Task<string> KeyAsync(TestAccount owner, params string[] scopes) =>
        (await owner.Client.PostJsonAsync("/api/v1/me/api-keys", new { name = string.Join("+", scopes), scopes })).Str(
            "key"
        );

    private static async Task AssertScopeAsync(HttpResponseMessage response, string scope)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal(scope, problem.Str("requiredScope"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ApiKeysApiTests_Sqlite(SqliteServerFixture server) : ApiKeysApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class ApiKeysApiTests_Postgres(PostgresServerFixture server) : ApiKeysApiTests(server);
