using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Narration;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 17 through the real host on both engines, with the real cards of ../shared/fixtures: every card field where
/// SillyTavern puts it in the request the backend receives, macros replaced, the card's note at its depth; greetings
/// chosen when the adventure starts and swiped until the first turn.
/// </summary>
public abstract class CardPromptApiTests(ServerFixture server)
{
    private readonly string _marker = "cp" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<string> ImportAsync(HttpClient client, string world, string fixture)
    {
        using var content = new ByteArrayContent(SharedFixtures.Read(fixture));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var imported = await (await client.PostAsync($"/api/v1/worlds/{world}/characters/import", content)).JsonAsync(
            HttpStatusCode.Created
        );
        return imported.GetProperty("character").Id();
    }

    private static async Task PatchAsync(HttpClient client, string url, object body)
    {
        using var patch = new StringContent(
            JsonSerializer.Serialize(body),
            System.Text.Encoding.UTF8,
            "application/merge-patch+json"
        );
        (await client.PatchAsync(url, patch)).EnsureSuccessStatusCode();
    }

    private static List<(string Role, string Text)> Messages(JsonObject request) =>
        [
            .. request["messages"]!
                .AsArray()
                .Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())),
        ];

    [Fact]
    public async Task each_card_field_reaches_the_backend_in_its_place_with_macros_replaced()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Konosuba" })).Id();
        var megumin = await ImportAsync(client, world, "cards/st_legacy_Megumin_v1.png");
        await PatchAsync(
            client,
            $"/api/v1/worlds/{world}/characters/{megumin}",
            new
            {
                systemPrompt = $"SYS-{_marker} Play {{{{char}}}}. {{{{original}}}}",
                postHistoryInstructions = $"POST-{_marker} {{{{char}}}} answers {{{{user}}}} loudly.",
                extensions = new
                {
                    depth_prompt = new
                    {
                        prompt = $"NOTE-{_marker} <BOT> adores explosions{{{{// not for the model}}}}.",
                        depth = 1,
                        role = "system",
                    },
                },
            }
        );
        var persona = (
            await client.PostJsonAsync("/api/v1/personas", new { name = "Kazuma", description = "A lucky adventurer." })
        ).Id();
        var adventure = (
            await client.PostJsonAsync(
                "/api/v1/adventures",
                new
                {
                    worldId = world,
                    personaId = persona,
                    characterIds = new[] { megumin },
                }
            )
        ).Id();

        var turn = await AdventureTestData.TakeTurnAsync(client, adventure, $"{_marker} I wave at her");
        Assert.Equal("completed", turn.Str("status"));
        var messages = Messages(backend.RequestsContaining($"{_marker} I wave").Single());

        // The system message: the card's system prompt with ours for {{original}}, then description, personality,
        // scenario, the persona and the example dialogue, in SillyTavern's order.
        var (role, system) = messages[0];
        Assert.Equal("system", role);
        Assert.StartsWith(
            $"SYS-{_marker} Play Megumin. {ContextBuilder.Instructions}",
            system,
            StringComparison.Ordinal
        );
        var order = new[]
        {
            "Megumin is an Arch Wizard",
            "Personality: loud, intelligent",
            "Scenario: Megumin went out of city",
            "# The player's character: Kazuma",
            "Kazuma: Hi, I heard you're the best mage in town.\nMegumin: nods Indeed.",
        }
            .Select(part => system.IndexOf(part, StringComparison.Ordinal))
            .ToArray();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);

        // Then the opening, the note at depth 1 (one message, the action, after it), the post-history instructions
        // right before the action.
        Assert.Equal(
            ("assistant", true),
            (messages[1].Role, messages[1].Text.Contains("I'm Megumin!", StringComparison.Ordinal))
        );
        Assert.Equal(("system", $"NOTE-{_marker} Megumin adores explosions."), messages[^3]);
        Assert.Equal(("system", $"POST-{_marker} Megumin answers Kazuma loudly."), messages[^2]);
        Assert.Equal(("user", $"[Action] {_marker} I wave at her"), messages[^1]);
        Assert.All(messages, m => Assert.DoesNotContain("{{", m.Text, StringComparison.Ordinal));

        // The inspector shows the same texts after substitution, each as its own section.
        var context = await (
            await client.GetAsync($"/api/v1/adventures/{adventure}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var sections = context
            .GetProperty("sections")
            .EnumerateArray()
            .ToDictionary(s => s.Str("name"), s => s.Str("text"));
        Assert.Equal($"NOTE-{_marker} Megumin adores explosions.", sections["character note"]);
        Assert.Equal($"POST-{_marker} Megumin answers Kazuma loudly.", sections["post-history instructions"]);
        Assert.Contains("Kazuma: Hi", sections["example dialogue"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_greeting_is_chosen_at_the_start_and_swiped_until_the_first_turn()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Choral" })).Id();
        var chan = await ImportAsync(client, world, "cards/choral_Default-chan_v3only.png");
        var card = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{chan}")).JsonAsync();
        var greetings = new[] { card.Str("firstMessage") }
            .Concat(card.GetProperty("alternateGreetings").EnumerateArray().Select(g => g.GetString()!))
            .ToArray();
        Assert.Equal(3, greetings.Length);

        var tooFar = await client.PostAsJsonAsync(
            "/api/v1/adventures",
            new
            {
                worldId = world,
                characterIds = new[] { chan },
                greetingIndex = 3,
            }
        );
        var problem = await tooFar.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("greetingIndex", out _), problem.ToString());

        var adventure = (
            await client.PostJsonAsync(
                "/api/v1/adventures",
                new
                {
                    worldId = world,
                    characterIds = new[] { chan },
                    greetingIndex = 2,
                }
            )
        ).Id();
        var opening = await OpeningAsync(client, adventure);
        Assert.Equal(2, opening.GetProperty("chosen").GetInt32());
        Assert.Equal(3, opening.GetProperty("alternatives").GetArrayLength());
        Assert.Equal(greetings[2], Narration(opening));

        // Swiped back to the first message; an index the opening does not have is the field's fault.
        var swiped = await client.PostJsonAsync(
            $"/api/v1/adventures/{adventure}/opening",
            new { greetingIndex = 0 },
            HttpStatusCode.OK
        );
        Assert.Equal(0, swiped.GetProperty("chosen").GetInt32());
        Assert.Equal(greetings[0], Narration(await OpeningAsync(client, adventure)));
        var missing = await client.PostAsJsonAsync(
            $"/api/v1/adventures/{adventure}/opening",
            new { greetingIndex = 7 }
        );
        problem = await missing.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("greetingIndex", out _), problem.ToString());

        // The narrator goes on from the greeting shown; after that the opening stays.
        await AdventureTestData.TakeTurnAsync(client, adventure, $"{_marker} hello there");
        var messages = Messages(backend.RequestsContaining($"{_marker} hello there").Single());
        Assert.Equal("assistant", messages[1].Role);
        Assert.StartsWith("*Default-chan appears with a friendly wave", messages[1].Text, StringComparison.Ordinal);
        var locked = await client.PostAsJsonAsync($"/api/v1/adventures/{adventure}/opening", new { greetingIndex = 1 });
        await locked.AssertProblemAsync(HttpStatusCode.Conflict, "opening_locked");
    }

    [Fact]
    public async Task the_greeting_the_player_sees_has_its_macros_replaced()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Saltmere" })).Id();
        var maren = (
            await client.PostJsonAsync(
                $"/api/v1/worlds/{world}/characters",
                new
                {
                    name = "Maren",
                    firstMessage = "{{char}} looks up at {{User}}.",
                    alternateGreetings = new[] { "\"Back again, <USER>?\"{{newline}}{{char}} sighs." },
                }
            )
        ).Id();
        var persona = (await client.PostJsonAsync("/api/v1/personas", new { name = "Wren" })).Id();
        var adventure = (
            await client.PostJsonAsync(
                "/api/v1/adventures",
                new
                {
                    worldId = world,
                    personaId = persona,
                    characterIds = new[] { maren },
                    greetingIndex = 1,
                }
            )
        ).Id();
        var opening = await OpeningAsync(client, adventure);
        Assert.Equal("\"Back again, Wren?\"\nMaren sighs.", Narration(opening));
        Assert.Equal("Maren looks up at Wren.", opening.GetProperty("alternatives")[0].Str("text"));
    }

    private static async Task<JsonElement> OpeningAsync(HttpClient client, string adventure) =>
        (await (await client.GetAsync($"/api/v1/adventures/{adventure}/turns?limit=100")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.Str("kind") == "opening");

    private static string Narration(JsonElement turn) =>
        turn.GetProperty("alternatives")[turn.GetProperty("chosen").GetInt32()].Str("text");
}

[Collection(SqliteCollection.Name)]
public sealed class CardPromptApiTests_Sqlite(SqliteServerFixture server) : CardPromptApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class CardPromptApiTests_Postgres(PostgresServerFixture server) : CardPromptApiTests(server);
