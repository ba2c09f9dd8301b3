using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class CharactersApiTests(ServerFixture server)
{
    private const string Extensions = """
        {"depth_prompt":{"prompt":"Stay in character.","depth":4,"role":"system"},"talkativeness":"0.5","fav":false,
         "chub":{"full_path":"someone/seraphina","related_lorebooks":[],"extensions":{"nested":[1,2.5,{"deep":null}]}},
         "unicode":"Seraphina 🌸 — «ελληνικά»"}
        """;

    [Fact]
    public async Task character_keeps_every_field_and_unknown_extensions_through_a_round_trip()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Forest" })).Id();
        var body = $$"""
            {"name":"Seraphina","description":"A guardian.","personality":"Kind","appearance":"Pink hair",
             "speechStyle":"Gentle",
             "goals":"Protect the forest","firstMessage":"*You wake up.*","alternateGreetings":["Hello","Hi"],
              "tags":["fantasy"],
             "extensions":{{Extensions}}}
            """;
        var created = await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/characters",
                new StringContent(body, Encoding.UTF8, "application/json")
            )
        ).JsonAsync(HttpStatusCode.Created);
        var id = created.Id();

        var read = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{id}")).JsonAsync();
        Assert.Equal(world, read.Str("worldId"));
        Assert.Equal("Gentle", read.Str("speechStyle"));
        Assert.Equal("Protect the forest", read.Str("goals"));
        Assert.Equal(
            ["Hello", "Hi"],
            read.GetProperty("alternateGreetings").EnumerateArray().Select(g => g.GetString())
        );
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(Extensions), JsonNode.Parse(read.GetProperty("extensions").GetRawText()))
        );

        // Writing back exactly what was read changes nothing but the version.
        var rewritten = await (
            await client.PutAsync(
                $"/api/v1/worlds/{world}/characters/{id}",
                new StringContent(read.GetRawText(), Encoding.UTF8, "application/json")
            )
        ).JsonAsync();
        Assert.True(
            JsonNode.DeepEquals(
                JsonNode.Parse(Extensions),
                JsonNode.Parse(rewritten.GetProperty("extensions").GetRawText())
            )
        );
        Assert.Equal("*You wake up.*", rewritten.Str("firstMessage"));
    }

    [Fact]
    public async Task patch_merges_into_extensions_and_null_removes_a_key()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Forest" })).Id();
        var id = (
            await client.PostJsonAsync(
                $"/api/v1/worlds/{world}/characters",
                new
                {
                    name = "Fern",
                    extensions = new
                    {
                        keep = 1,
                        drop = "x",
                        nested = new { a = 1, b = 2 },
                    },
                }
            )
        ).Id();

        var patch = new StringContent(
            """{"extensions":{"drop":null,"nested":{"b":3},"added":true}}""",
            Encoding.UTF8,
            "application/merge-patch+json"
        );
        var patched = await (await client.PatchAsync($"/api/v1/worlds/{world}/characters/{id}", patch)).JsonAsync();
        Assert.True(
            JsonNode.DeepEquals(
                JsonNode.Parse("""{"keep":1,"nested":{"a":1,"b":3},"added":true}"""),
                JsonNode.Parse(patched.GetProperty("extensions").GetRawText())
            )
        );
        Assert.Equal("Fern", patched.Str("name"));
    }

    [Fact]
    public async Task deleted_character_can_be_restored_from_the_world_trash()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var id = (await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Gone" })).Id();
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/characters/{id}")).StatusCode
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{id}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await client.DeleteAsync($"/api/v1/worlds/{world}/characters/{id}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        var trash = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/trash")).JsonAsync();
        Assert.Equal(id, Assert.Single(trash.GetProperty("items").EnumerateArray()).Id());

        var restored = await (
            await client.PostAsync($"/api/v1/worlds/{world}/characters/{id}/restore", null)
        ).JsonAsync();
        Assert.Equal("Gone", restored.Str("name"));
        Assert.Equal(
            1,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/characters")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
    }

    [Fact]
    public async Task character_list_searches_name_description_and_personality()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        await client.PostJsonAsync(
            $"/api/v1/worlds/{world}/characters",
            new { name = "Bram", personality = "Grumpy smith" }
        );
        await client.PostJsonAsync(
            $"/api/v1/worlds/{world}/characters",
            new { name = "Ilse", description = "A cheerful baker" }
        );
        var found = await (await client.GetAsync($"/api/v1/worlds/{world}/characters?q=grumpy")).JsonAsync();
        Assert.Equal("Bram", Assert.Single(found.GetProperty("items").EnumerateArray()).Str("name"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CharactersApiTests_Sqlite(SqliteServerFixture server) : CharactersApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class CharactersApiTests_Postgres(PostgresServerFixture server) : CharactersApiTests(server);
