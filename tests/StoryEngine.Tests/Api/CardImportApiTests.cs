using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Tests.Formats;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Character cards through the HTTP API: every fixture in, out in each format, and in again
/// unchanged.</summary>
public abstract class CardImportApiTests(ServerFixture server)
{
    [Theory]
    [MemberData(nameof(SharedFixtures.Cards), MemberType = typeof(SharedFixtures))]
    public async Task every_fixture_card_imports_exports_and_reimports_the_same(string fixture)
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Imports" })).Id();
        var first = await ImportMultipartAsync(client, world, SharedFixtures.Read(fixture), Path.GetFileName(fixture));

        foreach (
            var (format, mediaType, extension) in new[]
            {
                ("json", "application/json", ".json"),
                ("png", "image/png", ".png"),
                ("charx", "application/zip", ".charx"),
            }
        )
        {
            var response = await client.GetAsync(
                $"/api/v1/worlds/{world}/characters/{first.Character.Id()}/export?format={format}"
            );
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(
                first.Character.Str("name") + extension,
                response.Content.Headers.ContentDisposition?.FileNameStar
                    ?? response.Content.Headers.ContentDisposition?.FileName
            );

            var again = await ImportRawAsync(client, world, await response.Content.ReadAsByteArrayAsync(), mediaType);
            Assert.Equal("chara_card_v3", again.Root.Str("spec"));
            var expected = Comparable(first.Character);
            if (format == "charx" && fixture.EndsWith(".png", StringComparison.Ordinal))
            {
                // By design a CHARX names the PNG's picture as its main icon (docs/adr/0008); nothing else may change.
                var actual = Comparable(again.Character);
                actual["extensions"] = Same.WithoutCharxIcon(actual["extensions"]!.AsObject());
                Same.Json(expected, actual, $"{fixture} via {format}");
            }
            else
            {
                Same.Json(expected, Comparable(again.Character), $"{fixture} via {format}");
            }
            Same.Json(
                first.Lorebook is null ? null : Comparable(first.Lorebook.Value),
                again.Lorebook is null ? null : Comparable(again.Lorebook.Value),
                $"{fixture} lorebook via {format}"
            );
        }
    }

    [Fact]
    public async Task seraphina_arrives_with_her_eldoria_lorebook()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Forest" })).Id();
        using var content = new ByteArrayContent(SharedFixtures.Read("cards/st_default_Seraphina.png"));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await client.PostAsync($"/api/v1/worlds/{world}/characters/import", content);
        var imported = await response.JsonAsync(HttpStatusCode.Created);
        var id = imported.GetProperty("character").Id();
        Assert.Equal($"/api/v1/worlds/{world}/characters/{id}", response.Headers.Location?.ToString());
        Assert.Equal("chara_card_v3", imported.Str("spec"));

        var book = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{id}/lorebook")).JsonAsync();
        Assert.Equal("Eldoria", book.Str("name"));
        Assert.Equal(id, book.Str("characterId"));
        Assert.Equal(
            ["eldoria", "shadowfang", "glade", "power"],
            book.GetProperty("entries").EnumerateArray().Select(e => e.Str("comment"))
        );

        var character = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{id}")).JsonAsync();
        Assert.Equal("OtisAlejandro", character.Str("creator"));
        Assert.Equal("Eldoria", character.GetProperty("extensions").GetProperty("world").GetString());
    }

    [Fact]
    public async Task a_card_edited_here_exports_with_the_edit()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Edits" })).Id();
        var imported = await ImportMultipartAsync(
            client,
            world,
            SharedFixtures.Read("cards/st_default_CodingSensei.png"),
            "sensei.png"
        );
        var id = imported.Character.Id();
        using var patch = new StringContent(
            """{"scenario":"A dojo of keyboards.","speechStyle":"Terse"}""",
            System.Text.Encoding.UTF8,
            "application/merge-patch+json"
        );
        (await client.PatchAsync($"/api/v1/worlds/{world}/characters/{id}", patch)).EnsureSuccessStatusCode();

        var card = JsonNode.Parse(
            await client.GetByteArrayAsync($"/api/v1/worlds/{world}/characters/{id}/export?format=json")
        )!;
        Assert.Equal("A dojo of keyboards.", card["data"]!["scenario"]!.GetValue<string>());
        Assert.Equal("Terse", card["data"]!["extensions"]!["storyengine"]!["speechStyle"]!.GetValue<string>());
    }

    public static TheoryData<string, string, int, string> BadFiles() =>
        new()
        {
            { "truncated.png", "image/png", 400, "invalid_card" },
            { "no-card.png", "image/png", 400, "invalid_card" },
            { "broken-base64.png", "image/png", 400, "invalid_card" },
            { "invalid.json", "application/json", 400, "invalid_card" },
            { "nameless.json", "application/json", 400, "invalid_card" },
            { "bomb.charx", "application/zip", 400, "invalid_card" },
            { "picture.gif", "image/gif", 415, "unsupported_format" },
            { "empty", "application/octet-stream", 400, "validation_failed" },
        };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task bad_card_files_are_refused_with_a_problem_and_nothing_is_created(
        string file,
        string mediaType,
        int status,
        string code
    )
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Careful" })).Id();
        using var content = new ByteArrayContent(BadFile(file));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        var problem = await (
            await client.PostAsync($"/api/v1/worlds/{world}/characters/import", content)
        ).AssertProblemAsync((HttpStatusCode)status, code);
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));

        Assert.Equal(
            0,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/characters")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
        Assert.Equal(
            0,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/characters/trash")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
    }

    [Fact]
    public async Task a_50_mb_upload_is_refused_with_413()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Big" })).Id();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/worlds/{world}/characters/import")
        {
            Content = new ByteArrayContent(new byte[50 * 1024 * 1024]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        // As in BadInputTests: wait for 100-continue so the client does not race the server's early 413 and close.
        request.Headers.ExpectContinue = true;
        var problem = await (await client.SendAsync(request)).AssertProblemAsync(
            HttpStatusCode.RequestEntityTooLarge,
            "payload_too_large"
        );
        Assert.Contains("20 MB", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task export_names_its_format_problems()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var id = (await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Plain" })).Id();
        var problem = await (
            await client.GetAsync($"/api/v1/worlds/{world}/characters/{id}/export?format=gif")
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("format", out _));
        await (
            await client.GetAsync($"/api/v1/worlds/{world}/characters/unknown/export?format=png")
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        // A character made here has no picture: the PNG is drawn on a placeholder and still reads back.
        var png = await client.GetByteArrayAsync($"/api/v1/worlds/{world}/characters/{id}/export?format=png");
        Assert.Equal("Plain", (await ImportRawAsync(client, world, png, "image/png")).Character.Str("name"));
    }

    private sealed record Imported(JsonElement Root, JsonElement Character, JsonElement? Lorebook);

    private static async Task<Imported> ImportMultipartAsync(HttpClient client, string world, byte[] file, string name)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", name);
        return Parse(
            await (await client.PostAsync($"/api/v1/worlds/{world}/characters/import", form)).JsonAsync(
                HttpStatusCode.Created
            )
        );
    }

    private static async Task<Imported> ImportRawAsync(HttpClient client, string world, byte[] file, string mediaType)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return Parse(
            await (await client.PostAsync($"/api/v1/worlds/{world}/characters/import", content)).JsonAsync(
                HttpStatusCode.Created
            )
        );
    }

    private static Imported Parse(JsonElement json) =>
        new(
            json,
            json.GetProperty("character"),
            json.GetProperty("lorebook").ValueKind == JsonValueKind.Null ? null : json.GetProperty("lorebook")
        );

    /// <summary>The resource without what differs between two imports of the same card by design: ids, versions,
    /// times.</summary>
    internal static JsonObject Comparable(JsonElement resource)
    {
        var node = JsonNode.Parse(resource.GetRawText())!.AsObject();
        // avatarUrl names the character's id (the picture itself is compared by the export tests).
        foreach (
            var field in new[] { "id", "version", "createdAt", "updatedAt", "worldId", "characterId", "avatarUrl" }
        )
        {
            node.Remove(field);
        }
        return node;
    }

    private static byte[] BadFile(string name)
    {
        var capo = SharedFixtures.Read("cards/stcontent_Assistant_CapoGPT.png");
        return name switch
        {
            "truncated.png" => capo[..(capo.Length / 3)],
            "no-card.png" => CardFileTests.WithText(capo),
            "broken-base64.png" => CardFileTests.WithText(capo, ("chara", "not*base64*at*all")),
            "invalid.json" => "{\"spec\":\"chara_card_v2\",\"data\":{\"name\":"u8.ToArray(),
            "nameless.json" =>
                """{"spec":"chara_card_v3","spec_version":"3.0","data":{"description":"Nobody"}}"""u8.ToArray(),
            "bomb.charx" => BadCardFileTests.Bomb(),
            "picture.gif" => "GIF89a\x01\x00\x01\x00"u8.ToArray(),
            _ => [],
        };
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CardImportApiTests_Sqlite(SqliteServerFixture server) : CardImportApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class CardImportApiTests_Postgres(PostgresServerFixture server) : CardImportApiTests(server);
