using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 17 part B: named generation presets per user, and SillyTavern's own preset files (../shared/fixtures/presets)
/// imported: what we support becomes settings, the rest is kept as extras.
/// </summary>
public abstract class PresetsApiTests(ServerFixture server)
{
    private static async Task<JsonElement> ImportAsync(HttpClient client, string fixture, string? name = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(SharedFixtures.Read(fixture));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "file", Path.GetFileName(fixture));
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }
        return await (await client.PostAsync("/api/v1/presets/import", form)).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task a_text_completion_preset_maps_its_samplers_and_keeps_the_rest()
    {
        using var client = await server.CreateUserClientAsync();
        var preset = await ImportAsync(client, "presets/st_textgen_Universal-Creative.json");

        Assert.Equal("st_textgen_Universal-Creative", preset.Str("name"));
        Assert.Equal("sillytavern-textgen", preset.Str("source"));
        var g = preset.GetProperty("generation");
        Assert.Equal(1.5, g.GetProperty("temperature").GetDouble());
        Assert.Equal(1, g.GetProperty("topP").GetDouble());
        Assert.Equal(0.1, g.GetProperty("minP").GetDouble());
        Assert.Equal(1, g.GetProperty("repetitionPenalty").GetDouble());
        Assert.Equal(0, g.GetProperty("frequencyPenalty").GetDouble());
        Assert.Equal(JsonValueKind.Null, g.GetProperty("topK").ValueKind); // 0 is "off" in SillyTavern
        var extras = preset.GetProperty("extras");
        Assert.Equal(5, extras.GetProperty("mirostat_tau").GetDouble());
        Assert.Equal(0, extras.GetProperty("top_k").GetInt32());
        Assert.False(extras.TryGetProperty("temp", out _));
    }

    [Fact]
    public async Task a_chat_completion_preset_maps_openai_fields_and_is_applied_to_an_adventure_by_patch()
    {
        using var client = await server.CreateUserClientAsync();
        var preset = await ImportAsync(client, "presets/st_openai_Default.json", "Chat default");

        Assert.Equal("Chat default", preset.Str("name"));
        Assert.Equal("sillytavern-chat", preset.Str("source"));
        var g = preset.GetProperty("generation");
        Assert.Equal(1, g.GetProperty("temperature").GetDouble());
        Assert.Equal(300, g.GetProperty("maxTokens").GetInt32());
        Assert.Equal(JsonValueKind.Null, g.GetProperty("seed").ValueKind); // -1: random
        Assert.True(preset.GetProperty("extras").TryGetProperty("prompts", out _));

        var setup = await AdventureTestData.CreateAsync(client);
        var adventure = await (
            await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/adventures/{setup.AdventureId}")
                {
                    Content = JsonContent.Create(new { generation = g }),
                }
            )
        ).JsonAsync();
        Assert.Equal(300, adventure.GetProperty("generation").GetProperty("maxTokens").GetInt32());
    }

    [Fact]
    public async Task presets_are_crud_with_etags_and_belong_to_their_owner()
    {
        using var client = await server.CreateUserClientAsync();
        using var stranger = await server.CreateUserClientAsync();
        var created = await client.PostAsJsonAsync(
            "/api/v1/presets",
            new { name = "Calm", generation = new { temperature = 0.4, stop = new[] { "THE END" } } }
        );
        var preset = await created.JsonAsync(HttpStatusCode.Created);
        var etag = created.Headers.ETag!.ToString();
        Assert.Equal(0.4, preset.GetProperty("generation").GetProperty("temperature").GetDouble());

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/presets/{preset.Id()}")
        {
            Content = JsonContent.Create(new { generation = new { topP = 0.9 } }),
        };
        patch.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var patched = await (await client.SendAsync(patch)).JsonAsync();
        Assert.Equal(0.4, patched.GetProperty("generation").GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, patched.GetProperty("generation").GetProperty("topP").GetDouble());

        await (await stranger.GetAsync($"/api/v1/presets/{preset.Id()}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (
            await client.PostAsJsonAsync("/api/v1/presets", new { name = "Hot", generation = new { temperature = 7 } })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task a_file_that_is_not_a_json_object_is_an_invalid_preset()
    {
        using var client = await server.CreateUserClientAsync();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("[1,2]"u8.ToArray()), "file", "x.json" },
        };
        await (await client.PostAsync("/api/v1/presets/import", form)).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "invalid_preset"
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PresetsApiTests_Sqlite(SqliteServerFixture server) : PresetsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PresetsApiTests_Postgres(PostgresServerFixture server) : PresetsApiTests(server);
