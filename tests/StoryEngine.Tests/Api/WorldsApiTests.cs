using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class WorldsApiTests(ServerFixture server)
{
    [Fact]
    public async Task world_can_be_created_read_replaced_patched_and_deleted()
    {
        using var client = await server.CreateUserClientAsync();
        var created = await client.PostAsJsonAsync(
            "/api/v1/worlds",
            new
            {
                name = "Eldmoor",
                genre = "fantasy",
                tone = "grim",
                description = "Fog.",
                rules = "No guns.",
                style = "Second person.",
                tags = new[] { "dark" },
            }
        );
        var world = await created.JsonAsync(HttpStatusCode.Created);
        var id = world.Id();
        Assert.Equal($"/api/v1/worlds/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag!.Tag);
        Assert.Equal("No guns.", world.Str("rules"));

        var read = await (await client.GetAsync($"/api/v1/worlds/{id}")).JsonAsync();
        Assert.Equal("Eldmoor", read.Str("name"));
        Assert.Equal("dark", read.GetProperty("tags")[0].GetString());

        var replaced = await (
            await client.PutAsJsonAsync($"/api/v1/worlds/{id}", new { name = "Eldmoor Reborn" })
        ).JsonAsync();
        Assert.Equal("Eldmoor Reborn", replaced.Str("name"));
        Assert.Equal("", replaced.Str("genre")); // PUT replaces the whole resource
        Assert.Equal(2, replaced.GetProperty("version").GetInt64());

        var patch = new StringContent(
            """{"tone":"hopeful","tags":["light","new"]}""",
            Encoding.UTF8,
            "application/merge-patch+json"
        );
        var patched = await (await client.PatchAsync($"/api/v1/worlds/{id}", patch)).JsonAsync();
        Assert.Equal("Eldmoor Reborn", patched.Str("name")); // PATCH keeps what it does not name
        Assert.Equal("hopeful", patched.Str("tone"));
        Assert.Equal(2, patched.GetProperty("tags").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/worlds/{id}")).StatusCode);
        await (await client.GetAsync($"/api/v1/worlds/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task another_users_world_is_not_found_for_every_operation()
    {
        using var alice = await server.CreateUserClientAsync();
        using var bob = await server.CreateUserClientAsync();
        var id = (await alice.PostJsonAsync("/api/v1/worlds", new { name = "Alice's" })).Id();

        await (await bob.GetAsync($"/api/v1/worlds/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await bob.PutAsJsonAsync($"/api/v1/worlds/{id}", new { name = "Mine now" })).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (
            await bob.PatchAsync($"/api/v1/worlds/{id}", JsonContent.Create(new { name = "Mine" }))
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await bob.DeleteAsync($"/api/v1/worlds/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await bob.PostAsync($"/api/v1/worlds/{id}/restore", null)).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await bob.GetAsync($"/api/v1/worlds/{id}/characters")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await bob.PostAsJsonAsync($"/api/v1/worlds/{id}/characters", new { name = "Spy" })).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        var bobsList = await (await bob.GetAsync("/api/v1/worlds")).JsonAsync();
        Assert.Equal(0, bobsList.GetProperty("items").GetArrayLength());

        var stillAlices = await (await alice.GetAsync($"/api/v1/worlds/{id}")).JsonAsync();
        Assert.Equal("Alice's", stillAlices.Str("name"));
    }

    [Fact]
    public async Task etag_gives_304_when_unchanged_and_412_when_stale()
    {
        using var client = await server.CreateUserClientAsync();
        var id = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Tagged" })).Id();
        var first = await client.GetAsync($"/api/v1/worlds/{id}");
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/worlds/{id}");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);

        using var update = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/worlds/{id}")
        {
            Content = JsonContent.Create(new { name = "First writer" }),
        };
        update.Headers.IfMatch.Add(etag);
        var updated = await client.SendAsync(update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.NotEqual(etag, updated.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/worlds/{id}")
        {
            Content = JsonContent.Create(new { name = "Second writer" }),
        };
        stale.Headers.IfMatch.Add(etag);
        await (await client.SendAsync(stale)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );

        using var stalePatch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/worlds/{id}")
        {
            Content = JsonContent.Create(new { tone = "x" }),
        };
        stalePatch.Headers.IfMatch.Add(etag);
        await (await client.SendAsync(stalePatch)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/worlds/{id}");
        staleDelete.Headers.IfMatch.Add(etag);
        await (await client.SendAsync(staleDelete)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );

        var now = await (await client.GetAsync($"/api/v1/worlds/{id}")).JsonAsync();
        Assert.Equal("First writer", now.Str("name"));

        using var changed = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/worlds/{id}");
        changed.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(changed)).StatusCode);
    }

    [Fact]
    public async Task list_etag_gives_304_until_the_list_changes()
    {
        using var client = await server.CreateUserClientAsync();
        await client.PostJsonAsync("/api/v1/worlds", new { name = "One" });
        var list = await client.GetAsync("/api/v1/worlds");
        var etag = list.Headers.ETag!;

        using var same = new HttpRequestMessage(HttpMethod.Get, "/api/v1/worlds");
        same.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(same)).StatusCode);

        await client.PostJsonAsync("/api/v1/worlds", new { name = "Two" });
        using var after = new HttpRequestMessage(HttpMethod.Get, "/api/v1/worlds");
        after.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(after)).StatusCode);
    }

    [Fact]
    public async Task lists_page_with_cursor_and_link_header_without_gaps_or_repeats()
    {
        using var client = await server.CreateUserClientAsync();
        var names = Enumerable.Range(1, 7).Select(i => $"World {i}").ToArray();
        foreach (var name in names)
        {
            await client.PostJsonAsync("/api/v1/worlds", new { name });
        }

        var seen = new List<string>();
        var url = "/api/v1/worlds?limit=3";
        var pages = 0;
        while (url is not null)
        {
            var response = await client.GetAsync(url);
            var page = await response.JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
            pages++;
            var next = page.GetProperty("nextCursor");
            if (next.ValueKind == System.Text.Json.JsonValueKind.Null)
            {
                Assert.False(response.Headers.Contains("Link"));
                url = null;
            }
            else
            {
                var link = response.Headers.GetValues("Link").Single();
                Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
                url = link[1..link.IndexOf('>', StringComparison.Ordinal)];
                Assert.Contains("limit=3", url, StringComparison.Ordinal);
            }
        }
        Assert.Equal(3, pages);
        Assert.Equal(names, seen);
    }

    [Fact]
    public async Task list_filters_by_text_and_by_every_given_tag()
    {
        using var client = await server.CreateUserClientAsync();
        await client.PostJsonAsync(
            "/api/v1/worlds",
            new
            {
                name = "Salt Coast",
                description = "Fishing towns",
                tags = new[] { "Sea", "cozy" },
            }
        );
        await client.PostJsonAsync(
            "/api/v1/worlds",
            new
            {
                name = "Iron Peaks",
                description = "Mines and salt pans",
                tags = new[] { "mountain", "cozy" },
            }
        );
        await client.PostJsonAsync("/api/v1/worlds", new { name = "100% Dungeon", tags = new[] { "grim" } });

        async Task<string[]> Names(string query) =>
            (await (await client.GetAsync("/api/v1/worlds?" + query)).JsonAsync())
                .GetProperty("items")
                .EnumerateArray()
                .Select(i => i.Str("name"))
                .ToArray();

        Assert.Equal(["Salt Coast", "Iron Peaks"], await Names("q=SALT"));
        Assert.Equal(["Salt Coast", "Iron Peaks"], await Names("tag=cozy"));
        Assert.Equal(["Salt Coast"], await Names("tag=cozy&tag=sea"));
        Assert.Equal(["100% Dungeon"], await Names("q=" + Uri.EscapeDataString("100%")));
        Assert.Empty(await Names("q=" + Uri.EscapeDataString("_")));
    }

    [Fact]
    public async Task deleted_world_sits_in_the_trash_until_restored_with_its_contents()
    {
        using var client = await server.CreateUserClientAsync();
        var id = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Fragile" })).Id();
        var characterId = (await client.PostJsonAsync($"/api/v1/worlds/{id}/characters", new { name = "Inside" })).Id();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/worlds/{id}")).StatusCode);
        Assert.Equal(
            0,
            (await (await client.GetAsync("/api/v1/worlds")).JsonAsync()).GetProperty("items").GetArrayLength()
        );
        await (await client.GetAsync($"/api/v1/worlds/{id}/characters/{characterId}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        // A list inside it is a 404 too, though its rows are still there (the list checks its world in its own query).
        foreach (var list in new[] { "characters", "characters?fields=*", "characters/trash", "locations" })
        {
            await (await client.GetAsync($"/api/v1/worlds/{id}/{list}")).AssertProblemAsync(
                HttpStatusCode.NotFound,
                "not_found"
            );
        }

        var trash = (await (await client.GetAsync("/api/v1/worlds/trash")).JsonAsync()).GetProperty("items");
        var item = Assert.Single(trash.EnumerateArray());
        Assert.Equal(id, item.Id());
        var deletedAt = item.GetProperty("deletedAt").GetDateTimeOffset();
        Assert.Equal(deletedAt.AddDays(30), item.GetProperty("purgeAt").GetDateTimeOffset());

        var restored = await (await client.PostAsync($"/api/v1/worlds/{id}/restore", null)).JsonAsync();
        Assert.False(restored.TryGetProperty("deletedAt", out _));
        Assert.Equal(
            "Inside",
            (await (await client.GetAsync($"/api/v1/worlds/{id}/characters/{characterId}")).JsonAsync()).Str("name")
        );
        var listed = (await (await client.GetAsync($"/api/v1/worlds/{id}/characters")).JsonAsync()).GetProperty(
            "items"
        );
        Assert.Equal(characterId, Assert.Single(listed.EnumerateArray()).Id());
        using var stranger = await server.CreateUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/worlds/{id}/characters")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        Assert.Equal(
            0,
            (await (await client.GetAsync("/api/v1/worlds/trash")).JsonAsync()).GetProperty("items").GetArrayLength()
        );

        await (await client.PostAsync($"/api/v1/worlds/{id}/restore", null)).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "not_deleted"
        );
    }

    [Fact]
    public async Task responses_are_compressed_when_the_client_accepts_it()
    {
        using var client = await server.CreateUserClientAsync();
        await client.PostJsonAsync(
            "/api/v1/worlds",
            new { name = "Compressible", description = new string('x', 4000) }
        );
        foreach (var encoding in new[] { "br", "gzip" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/worlds");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WorldsApiTests_Sqlite(SqliteServerFixture server) : WorldsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WorldsApiTests_Postgres(PostgresServerFixture server) : WorldsApiTests(server);
