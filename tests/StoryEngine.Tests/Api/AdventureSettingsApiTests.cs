using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 17 part B: PATCH /adventures/{id} sets the title, author's note, memory and generation settings as an event;
/// the note goes in at its depth, the memory in the stable prefix, and the settings (server, world, adventure, most
/// specific first) reach the backend's request body. Asserted on the request the in-test backend receives.
/// </summary>
public abstract class AdventureSettingsApiTests(ServerFixture server)
{
    private readonly string _marker = "as" + Guid.NewGuid().ToString("N")[..10];

    private static Task<HttpResponseMessage> PatchAsync(
        HttpClient client,
        string id,
        object patch,
        string? ifMatch = null
    )
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/adventures/{id}")
        {
            Content = new StringContent(JsonSerializer.Serialize(patch), Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }
        return client.SendAsync(request);
    }

    [Fact]
    public async Task patch_sets_the_settings_as_an_event_and_get_returns_them()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var get = await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}");
        var etag = get.Headers.ETag!.ToString();

        var patched = await (
            await PatchAsync(
                client,
                setup.AdventureId,
                new
                {
                    title = "Fog and bells",
                    authorsNote = new
                    {
                        text = "Keep it tense.",
                        depth = 2,
                        role = "user",
                    },
                    memory = "Wren owes Maren three silver.",
                    generation = new { temperature = 0.6, stop = new[] { "\nWren:" } },
                },
                etag
            )
        ).JsonAsync();

        Assert.Equal("Fog and bells", patched.Str("title"));
        var note = patched.GetProperty("authorsNote");
        Assert.Equal("Keep it tense.", note.Str("text"));
        Assert.Equal(2, note.GetProperty("depth").GetInt32());
        Assert.Equal("user", note.Str("role"));
        Assert.Equal(1, note.GetProperty("frequency").GetInt32());
        Assert.Equal("Wren owes Maren three silver.", patched.Str("memory"));
        Assert.Equal(0.6, patched.GetProperty("generation").GetProperty("temperature").GetDouble());

        // A second patch merges: only the temperature goes (null removes), the rest stays.
        var again = await (
            await PatchAsync(client, setup.AdventureId, new { generation = new { temperature = (double?)null } })
        ).JsonAsync();
        Assert.Equal(JsonValueKind.Null, again.GetProperty("generation").GetProperty("temperature").ValueKind);
        Assert.Equal("\nWren:", again.GetProperty("generation").GetProperty("stop")[0].GetString());
        Assert.Equal("Fog and bells", again.Str("title"));

        var read = await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}")).JsonAsync();
        Assert.Equal("Wren owes Maren three silver.", read.Str("memory"));
        var events = await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events")).JsonAsync();
        var changes = events
            .GetProperty("items")
            .EnumerateArray()
            .Where(e => e.Str("type") == "AdventureSettingsChanged");
        Assert.Equal(2, changes.Count());

        // The ETag read before the first change is stale now.
        await (await PatchAsync(client, setup.AdventureId, new { memory = "x" }, etag)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );
    }

    [Theory]
    [InlineData("{\"authorsNote\":{\"text\":\"a\",\"role\":\"narrator\"}}", "authorsNote.role")]
    [InlineData("{\"authorsNote\":{\"text\":\"a\",\"depth\":-1}}", "authorsNote.depth")]
    [InlineData("{\"authorsNote\":{\"text\":\"a\",\"frequency\":0}}", "authorsNote.frequency")]
    [InlineData("{\"generation\":{\"temperature\":9}}", "generation.temperature")]
    [InlineData("{\"generation\":{\"topP\":\"high\"}}", "generation.topP")]
    [InlineData("{\"title\":\"\"}", "title")]
    public async Task bad_settings_are_400_problems_naming_the_field(string patch, string field)
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var response = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/adventures/{setup.AdventureId}")
            {
                Content = new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"),
            }
        );
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task the_note_sits_at_its_depth_the_memory_in_the_prefix_and_settings_reach_the_backend()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        // The world sets two settings; the adventure overrides one of them and adds others.
        (
            await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/worlds/{setup.WorldId}")
                {
                    Content = JsonContent.Create(new { generation = new { temperature = 1.2, topK = 50 } }),
                }
            )
        ).EnsureSuccessStatusCode();
        (
            await PatchAsync(
                client,
                setup.AdventureId,
                new
                {
                    authorsNote = new
                    {
                        text = $"NOTE-{_marker}",
                        depth = 1,
                        role = "system",
                    },
                    memory = $"MEMORY-{_marker}",
                    generation = new
                    {
                        temperature = 0.5,
                        minP = 0.05,
                        repetitionPenalty = 1.1,
                        maxTokens = 200,
                    },
                }
            )
        ).EnsureSuccessStatusCode();

        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"{_marker} I ring the bell");
        Assert.Equal("completed", turn.Str("status"));

        var request = backend
            .RequestsContaining($"{_marker} I ring the bell")
            .Single(r => r["response_format"] is null);
        var messages = request["messages"]!.AsArray();
        Assert.Contains($"MEMORY-{_marker}", messages[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        // Depth 1: right before the player's action, the last message.
        Assert.Equal("system", messages[^2]!["role"]!.GetValue<string>());
        Assert.Equal($"NOTE-{_marker}", messages[^2]!["content"]!.GetValue<string>());
        Assert.Contains(
            $"{_marker} I ring the bell",
            messages[^1]!["content"]!.GetValue<string>(),
            StringComparison.Ordinal
        );
        Assert.Equal(0.5, Math.Round(request["temperature"]!.GetValue<double>(), 4));
        Assert.Equal(50, request["top_k"]!.GetValue<int>());
        Assert.Equal(0.05, Math.Round(request["min_p"]!.GetValue<double>(), 4));
        Assert.Equal(1.1, Math.Round(request["repetition_penalty"]!.GetValue<double>(), 4));
        Assert.Equal(200, request["max_tokens"]!.GetValue<int>());

        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var sections = context.GetProperty("sections").EnumerateArray().ToDictionary(s => s.Str("name"));
        Assert.Equal($"# Memory\nMEMORY-{_marker}", sections["memory"].Str("text"));
        Assert.Equal($"NOTE-{_marker}", sections["author's note"].Str("text"));
        var generation = context.GetProperty("generation");
        Assert.Equal("adventure", generation.GetProperty("sources").Str("temperature"));
        Assert.Equal("world", generation.GetProperty("sources").Str("topK"));
        Assert.Equal("0.5", generation.GetProperty("settings").Str("temperature"));
        Assert.Empty(generation.GetProperty("unsupported").EnumerateArray()); // the scripted server takes them all
    }

    [Fact]
    public async Task a_note_with_a_frequency_is_sent_only_on_those_turns()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        (
            await PatchAsync(
                client,
                setup.AdventureId,
                new
                {
                    authorsNote = new
                    {
                        text = $"EVERY2-{_marker}",
                        depth = 0,
                        frequency = 2,
                    },
                }
            )
        ).EnsureSuccessStatusCode();

        foreach (var n in new[] { 1, 2 })
        {
            await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"{_marker} move {n}");
        }
        JsonArray Sent(int n) =>
            backend.RequestsContaining($"{_marker} move {n}").First(r => r["response_format"] is null)[
                "messages"
            ]!.AsArray();
        Assert.DoesNotContain(Sent(1), m => m!["content"]!.GetValue<string>() == $"EVERY2-{_marker}");
        // Depth 0: after the action, the very last message.
        Assert.Equal($"EVERY2-{_marker}", Sent(2)[^1]!["content"]!.GetValue<string>());
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AdventureSettingsApiTests_Sqlite(SqliteServerFixture server) : AdventureSettingsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AdventureSettingsApiTests_Postgres(PostgresServerFixture server)
    : AdventureSettingsApiTests(server);
