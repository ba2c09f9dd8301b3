using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StoryEngine.Storage;
using StoryEngine.Storage.DataRights;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.DataRights;

/// <summary>Issue 4's data rights: everything a user owns as one download, and erasing all of it (the sweep over every
/// table is AccountErasureSweepTests).</summary>
public abstract class DataRightsTests(ServerFixture server)
{
    [Fact]
    public async Task export_is_a_json_attachment_with_everything_the_user_owns()
    {
        using var user = await server.CreateAccountAsync();
        var data = await OwnedData.CreateAsync(server, user);
        var key = await user.Client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new { name = "export script", scopes = new[] { "read", "play" } }
        );

        var response = await user.Client.GetAsync("/api/v1/me/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(
            ".json",
            response.Content.Headers.ContentDisposition?.FileName?.Trim('"'),
            StringComparison.Ordinal
        );
        var export = JsonDocument.Parse(await response.Content.ReadAsStreamAsync()).RootElement;

        Assert.Equal("storyengine-account-export", export.Str("format"));
        Assert.Equal(user.Username, export.GetProperty("profile").Str("username"));
        Assert.Contains(export.GetProperty("worlds").EnumerateArray(), w =>
            w.Str("id") == data.WorldId
            && w.GetProperty("body").ToString().Contains("Erasure world", StringComparison.Ordinal)
        );
        Assert.Contains(export.GetProperty("locations").EnumerateArray(), l => l.Str("name") == "Erasure gate");
        Assert.True(export.GetProperty("characters").GetArrayLength() >= 2); // made and imported
        Assert.Single(export.GetProperty("personas").EnumerateArray());
        Assert.Contains(export.GetProperty("lorebooks").EnumerateArray(), b =>
            b.GetProperty("body").ToString().Contains("The gate is old.", StringComparison.Ordinal)
        );
        Assert.Contains(export.GetProperty("characterLorebooks").EnumerateArray(), b =>
            b.Str("name") == "Warden's lore"
        );
        Assert.Contains(export.GetProperty("characterFiles").EnumerateArray(), f =>
            f.Str("mediaType") == "image/png" && f.GetProperty("data").GetBytesFromBase64().Length > 100
        );
        Assert.Contains(export.GetProperty("documents").EnumerateArray(), d => d.Str("name") == "Erasure bible");
        var original = Assert.Single(export.GetProperty("documentFiles").EnumerateArray());
        Assert.StartsWith(
            "The erasure gate",
            System.Text.Encoding.UTF8.GetString(original.GetProperty("data").GetBytesFromBase64())
        );
        // Avatars and covers, as stored: the imported card's avatar, the persona's and the world's cover.
        var images = export.GetProperty("images").EnumerateArray().ToArray();
        Assert.Equal(["character", "persona", "world"], images.Select(i => i.Str("kind")).Order().ToArray());
        Assert.All(images, i => Assert.Equal("image/webp", i.Str("mediaType")));
        Assert.Contains(images, i => i.Str("kind") == "world" && i.Str("subjectId") == data.WorldId);
        var adventure = Assert.Single(export.GetProperty("adventures").EnumerateArray(), a =>
            a.Str("id") == data.AdventureId
        );
        var events = adventure.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(
            Enumerable.Range(1, events.Length).Select(i => (long)i),
            events.Select(e => e.GetProperty("sequence").GetInt64())
        );
        Assert.Contains(events, e =>
            e.Str("type") == "NarrationCompleted"
            || e.GetProperty("payload").ToString().Contains("I open the erasure gate", StringComparison.Ordinal)
        );
        Assert.Equal(2, export.GetProperty("adventures").GetArrayLength()); // the fork too
        Assert.True(export.GetProperty("sessions").GetArrayLength() >= 2);
        Assert.True(export.GetProperty("usage").GetArrayLength() >= 1);
        // API keys by name, scopes and prefix; never the key or its hash.
        var exportedKey = Assert.Single(export.GetProperty("apiKeys").EnumerateArray());
        Assert.Equal("export script", exportedKey.Str("name"));
        Assert.Equal(
            ["play", "read"],
            exportedKey.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).Order().ToArray()
        );
        Assert.StartsWith(exportedKey.Str("prefix"), key.Str("key"), StringComparison.Ordinal);
        Assert.DoesNotContain(key.Str("key"), export.ToString(), StringComparison.Ordinal);
        Assert.False(export.GetProperty("twoFactor").GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Array, adventure.GetProperty("summaries").ValueKind);
        Assert.Contains(export.GetProperty("audit").EnumerateArray(), a => a.Str("action") == "auth.login.succeeded");
        Assert.Contains(export.GetProperty("audit").EnumerateArray(), a => a.Str("action") == "account.exported");
        Assert.DoesNotContain("passwordHash", export.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pbkdf2", export.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task an_admin_who_deletes_their_account_is_anonymised_in_entries_about_others()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/quota", new { dailyTokens = 5000 })
        ).EnsureSuccessStatusCode();
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await SendDeleteAsync(admin.Client, new { password = admin.Password })).StatusCode
        );

        using var other = await server.CreateAccountAsync(admin: true);
        var audit = await (
            await other.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}&action=user.quota_changed")
        ).JsonAsync();
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal(AccountEraser.ErasedActor, entry.Str("actorId"));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("ip").ValueKind);
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("userAgent").ValueKind);
        Assert.Equal(user.Username, entry.Str("username")); // the entry is about the user, who is still here
    }

    [Fact]
    public async Task the_audit_log_stays_append_only_outside_an_erasure()
    {
        using var user = await server.CreateAccountAsync();
        var provider = server.Services.GetRequiredService<IStorageProvider>();
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            connection.ExecuteAsync("DELETE FROM audit_log WHERE user_id = @Id", new { user.Id })
        );
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            connection.ExecuteAsync("UPDATE audit_log SET detail = 'x' WHERE user_id = @Id", new { user.Id })
        );
    }

    private static Task<HttpResponseMessage> SendDeleteAsync(HttpClient client, object body) =>
        client.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me") { Content = JsonContent.Create(body) }
        );
}

/// <summary>A row in every kind of table a user can fill: world data, lore, card files, adventures and their log,
/// sessions, usage, audit.</summary>
public sealed record OwnedData(string WorldId, string AdventureId)
{
    public static async Task<OwnedData> CreateAsync(ServerFixture server, TestAccount user)
    {
        var client = user.Client;
        var world = (
            await client.PostJsonAsync(
                "/api/v1/worlds",
                new { name = "Erasure world", description = $"Made by {user.Username}" }
            )
        ).Id();
        await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Erasure gate" });
        var character = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Warden" })
        ).Id();
        var persona = (await client.PostJsonAsync("/api/v1/personas", new { name = "Visitor" })).Id();
        // Pictures of every kind (ADR 38); the imported card below brings a character's avatar.
        foreach (var picture in new[] { $"/api/v1/personas/{persona}/avatar", $"/api/v1/worlds/{world}/cover" })
        {
            (
                await client.PutAsync(picture, TestPictures.Content(TestPictures.Make(16, 16), "image/png"))
            ).EnsureSuccessStatusCode();
        }
        var entries = new[]
        {
            new
            {
                id = 1,
                keys = new[] { "gate" },
                content = "The gate is old.",
            },
        };
        await client.PostJsonAsync($"/api/v1/worlds/{world}/lorebooks", new { name = "Erasure lore", entries });
        (
            await client.PutAsJsonAsync(
                $"/api/v1/worlds/{world}/characters/{character}/lorebook",
                new { name = "Warden's lore", entries }
            )
        ).EnsureSuccessStatusCode();
        using (var card = new ByteArrayContent(SharedFixtures.Read("cards/st_default_Seraphina.png")))
        {
            card.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            (await client.PostAsync($"/api/v1/worlds/{world}/characters/import", card)).EnsureSuccessStatusCode();
        }
        // A world document (issue 20): its row, its original, its passages and the world's index generation.
        (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/documents?name=Erasure%20bible",
                new StringContent($"The erasure gate was built by {user.Username}.", System.Text.Encoding.UTF8)
            )
        ).EnsureSuccessStatusCode();
        // A scenario (issue 24) with its first version and a share link.
        var scenario = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", ScenarioTestData.TwoScenes("Erasure gate"))
        ).Id();
        await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios/{scenario}/share", new { password = "erase me" });
        var adventure = (
            await client.PostJsonAsync(
                "/api/v1/adventures",
                new { worldId = world, characterIds = new[] { character } }
            )
        ).Id();
        var turn = await AdventureTestData.TakeTurnAsync(client, adventure, "I open the erasure gate");
        await client.PostJsonAsync($"/api/v1/adventures/{adventure}/fork", new { atTurnId = turn.Id() });
        // Another session, refreshed once (a retired token), and a failed password change (an audit entry and a
        // throttle row).
        var second = await server.SignInAsync(user.Username);
        (await second.Client.RefreshAsync(second.RefreshToken)).EnsureSuccessStatusCode();
        await client.PostAsJsonAsync(
            "/api/v1/me/password",
            new { currentPassword = "wrong password entirely", newPassword = "another long passphrase" }
        );
        using var anonymous = server.CreateClient();
        await anonymous.PostAsJsonAsync(
            "/api/v1/auth/login",
            new { username = user.Username, password = "wrong password entirely" }
        );
        return new OwnedData(world, adventure);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DataRightsTests_Sqlite(SqliteServerFixture server) : DataRightsTests(server);

[Collection(PostgresCollection.Name)]
public sealed class DataRightsTests_Postgres(PostgresServerFixture server) : DataRightsTests(server);
