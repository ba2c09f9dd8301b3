using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StoryEngine.Tests.Formats;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>World lorebooks, their entries, characters' own books, and World Info / NovelAI files through the
/// API.</summary>
public abstract class LorebooksApiTests(ServerFixture server)
{
    private const string Book = """
        {"name":"Coast lore","scanDepth":4,"tokenBudget":800,"recursiveScanning":false,"tags":["coast"],
         "entries":[
           {"comment":"Harbour","keys":["harbour","/light\\s*house/i"],"content":"The harbour never sleeps.",
            "insertionOrder":10},
           {"name":"Fog","keys":["fog"],"secondaryKeys":["night","sea"],"selectiveLogic":"andAll",
            "content":"Fog rolls in.","probability":50,
            "sticky":2,"cooldown":3,"delay":1,"excludeRecursion":true,"delayUntilRecursion":2,
             "extensions":{"group":"weather","custom":{"a":[1]}}},
           {"id":9,"constant":true,"content":"Salt is everywhere.","enabled":false}]}
        """;

    [Fact]
    public async Task lorebook_keeps_every_entry_setting_and_gives_missing_ids_the_next_free_ones()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Coast" })).Id();
        var created = await (await client.PostAsync($"/api/v1/worlds/{world}/lorebooks", Json(Book))).JsonAsync(
            HttpStatusCode.Created
        );
        var entries = created.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal([10, 11, 9], entries.Select(e => e.GetProperty("id").GetInt32()));
        var fog = entries[1];
        Assert.Equal("andAll", fog.Str("selectiveLogic"));
        Assert.Equal(50, fog.GetProperty("probability").GetInt32());
        Assert.Equal(2, fog.GetProperty("delayUntilRecursion").GetInt32());
        Assert.Equal("weather", fog.GetProperty("extensions").GetProperty("group").GetString());
        Assert.Equal(JsonValueKind.Null, fog.GetProperty("caseSensitive").ValueKind);
        Assert.False(created.GetProperty("recursiveScanning").GetBoolean());

        // PUT of what was read changes nothing but the version.
        var read = await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks/{created.Id()}")).JsonAsync();
        var rewritten = await (
            await client.PutAsync($"/api/v1/worlds/{world}/lorebooks/{created.Id()}", Json(read.GetRawText()))
        ).JsonAsync();
        Same.Json(CardImportApiTests.Comparable(read), CardImportApiTests.Comparable(rewritten), "lorebook");
    }

    [Fact]
    public async Task a_regex_key_that_does_not_compile_is_refused_naming_the_entry_and_key()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var body =
            """{"name":"Bad","entries":[{"id":3,"comment":"Ruins","keys":["ruin","/(unclosed/"],"content":"x"}]}""";
        var problem = await (
            await client.PostAsync($"/api/v1/worlds/{world}/lorebooks", Json(body))
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var message = problem.GetProperty("errors").GetProperty("entries[0].keys[1]")[0].GetString()!;
        Assert.Contains("entry 3 (\"Ruins\")", message, StringComparison.Ordinal);
        Assert.Contains("/(unclosed/", message, StringComparison.Ordinal);

        var duplicate = """{"name":"Dup","entries":[{"id":1,"content":"a"},{"id":1,"content":"b"}]}""";
        var dupProblem = await (
            await client.PostAsync($"/api/v1/worlds/{world}/lorebooks", Json(duplicate))
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(dupProblem.GetProperty("errors").TryGetProperty("entries[1].id", out _));
        Assert.Equal(
            0,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
    }

    [Fact]
    public async Task entries_have_routes_of_their_own_guarded_by_the_book_etag()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var book = (
            await (await client.PostAsync($"/api/v1/worlds/{world}/lorebooks", Json(Book))).JsonAsync(
                HttpStatusCode.Created
            )
        ).Id();
        var entries = $"/api/v1/worlds/{world}/lorebooks/{book}/entries";

        var added = await client.PostAsync(
            entries,
            Json("""{"comment":"Gulls","keys":["gull"],"content":"Gulls cry."}""")
        );
        var gull = await added.JsonAsync(HttpStatusCode.Created);
        Assert.Equal(12, gull.GetProperty("id").GetInt32());
        Assert.Equal($"{entries}/12", added.Headers.Location?.ToString());
        await (await client.PostAsync(entries, Json("""{"id":9,"content":"taken"}"""))).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "conflict"
        );

        var get = await client.GetAsync($"{entries}/12");
        var etag = get.Headers.ETag!.Tag;
        using var patch = new StringContent(
            """{"content":"Gulls cry louder.","keys":["gull","gulls"]}""",
            Encoding.UTF8,
            "application/merge-patch+json"
        );
        var patched = await (await client.PatchAsync($"{entries}/12", patch)).JsonAsync();
        Assert.Equal("Gulls cry louder.", patched.Str("content"));
        Assert.Equal("Gulls", patched.Str("comment"));

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"{entries}/12")
        {
            Content = Json("""{"content":"lost update"}"""),
        };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        await (await client.SendAsync(stale)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{entries}/10")).StatusCode);
        await (await client.GetAsync($"{entries}/10")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var list = await (await client.GetAsync(entries)).JsonAsync();
        Assert.Equal([11, 9, 12], list.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
        var whole = await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks/{book}")).JsonAsync();
        // created, added, patched, deleted: the stale PUT wrote nothing
        Assert.Equal(4, whole.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task lorebooks_go_to_the_world_trash_and_come_back()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var book = (await client.PostJsonAsync($"/api/v1/worlds/{world}/lorebooks", new { name = "Gone soon" })).Id();
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/lorebooks/{book}")).StatusCode
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks/{book}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        var trash = await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks/trash")).JsonAsync();
        Assert.Equal(book, Assert.Single(trash.GetProperty("items").EnumerateArray()).Id());
        Assert.Equal(
            "Gone soon",
            (await (await client.PostAsync($"/api/v1/worlds/{world}/lorebooks/{book}/restore", null)).JsonAsync()).Str(
                "name"
            )
        );

        // Another user sees nothing of it.
        using var stranger = await server.CreateUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/worlds/{world}/lorebooks/{book}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await stranger.GetAsync($"/api/v1/worlds/{world}/lorebooks/{book}/export")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
    }

    [Fact]
    public async Task a_character_has_its_own_lorebook_that_follows_it_into_the_trash()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var character = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Keeper" })
        ).Id();
        var url = $"/api/v1/worlds/{world}/characters/{character}/lorebook";
        await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var created = await (
            await client.PutAsync(
                url,
                Json(
                    """
                    {"name":"Keeper's memories","entries":[{"keys":["lamp"],"content":"The lamp was her mother's."}]}
                    """
                )
            )
        ).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(character, created.Str("characterId"));
        var replaced = await (
            await client.PutAsync(url, Json("""{"name":"Keeper's memories","entries":[]}"""))
        ).JsonAsync();
        Assert.Equal(2, replaced.GetProperty("version").GetInt64());
        (
            await client.PostAsync($"{url}/entries", Json("""{"keys":["lamp"],"content":"Again."}"""))
        ).EnsureSuccessStatusCode();

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/characters/{character}")).StatusCode
        );
        await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        (
            await client.PostAsync($"/api/v1/worlds/{world}/characters/{character}/restore", null)
        ).EnsureSuccessStatusCode();
        Assert.Single((await (await client.GetAsync(url)).JsonAsync()).GetProperty("entries").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(url)).StatusCode);
        await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var exported = System.Text.Json.Nodes.JsonNode.Parse(
            await client.GetByteArrayAsync($"/api/v1/worlds/{world}/characters/{character}/export")
        )!;
        Assert.Null(exported["data"]!["character_book"]);
    }

    [Theory]
    [MemberData(nameof(SharedFixtures.Lorebooks), MemberType = typeof(SharedFixtures))]
    public async Task every_fixture_lorebook_imports_exports_and_reimports_the_same(string fixture)
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Lore" })).Id();
        var first = await ImportAsync(client, world, SharedFixtures.Read(fixture), Path.GetFileName(fixture));
        // World Info files are named by their file
        Assert.Equal(Path.GetFileNameWithoutExtension(fixture), first.Str("name"));

        foreach (var (format, extension) in new[] { ("st", ".json"), ("card", ".json"), ("novelai", ".lorebook") })
        {
            var response = await client.GetAsync(
                $"/api/v1/worlds/{world}/lorebooks/{first.Id()}/export?format={format}"
            );
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(
                first.Str("name") + extension,
                response.Content.Headers.ContentDisposition?.FileNameStar
                    ?? response.Content.Headers.ContentDisposition?.FileName
            );
            var again = await ImportAsync(
                client,
                world,
                await response.Content.ReadAsByteArrayAsync(),
                "ignored" + extension
            );
            if (format == "novelai")
            {
                // NovelAI has no secondary keys, comments or timed effects: what it can hold must come back.
                Assert.Equal(
                    Project(first, e =>
                        $"{e.Str("content")}|{Keys(e)}|{e.GetProperty("enabled")}|{e.GetProperty("constant")}"
                    ),
                    Project(again, e =>
                        $"{e.Str("content")}|{Keys(e)}|{e.GetProperty("enabled")}|{e.GetProperty("constant")}"
                    )
                );
            }
            else
            {
                Same.Json(
                    CardImportApiTests.Comparable(first),
                    CardImportApiTests.Comparable(again),
                    $"{fixture} via {format}"
                );
            }
        }
    }

    [Fact]
    public async Task bad_lorebook_files_are_refused_with_a_problem()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/lorebooks/import",
                Json("""{"entries":{"0":{"key":["a"],"content":"x","order":"first"}}}""")
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_lorebook");
        await (
            await client.PostAsync($"/api/v1/worlds/{world}/lorebooks/import", Json("""{"entries":{"0":"""))
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_lorebook");
        await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/lorebooks/import",
                Json("""{"kind":"memory","entries":[]}""")
            )
        ).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_format");
        var badRegex = await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/lorebooks/import",
                Json("""{"entries":{"4":{"uid":4,"key":["/[/"],"content":"x"}}}""")
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(
            "entry 4",
            badRegex.GetProperty("errors").GetProperty("entries[0].keys[0]")[0].GetString()!,
            StringComparison.Ordinal
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks/unknown/export?format=st")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        Assert.Equal(
            0,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/lorebooks")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
    }

    private static async Task<JsonElement> ImportAsync(HttpClient client, string world, byte[] file, string name)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(part, "file", name);
        return await (await client.PostAsync($"/api/v1/worlds/{world}/lorebooks/import", form)).JsonAsync(
            HttpStatusCode.Created
        );
    }

    private static string[] Project(JsonElement book, Func<JsonElement, string> select) =>
        book.GetProperty("entries").EnumerateArray().Select(select).ToArray();

    private static string Keys(JsonElement entry) =>
        string.Join(',', entry.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

[Collection(SqliteCollection.Name)]
public sealed class LorebooksApiTests_Sqlite(SqliteServerFixture server) : LorebooksApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class LorebooksApiTests_Postgres(PostgresServerFixture server) : LorebooksApiTests(server);
