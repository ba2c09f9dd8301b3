using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 5: memory features must not break prompt caching. Each turn's volatile block (triggered lore, recalled
/// memories, world state) stays with its turn in later prompts, so every prompt begins with the whole of the one
/// before; a later block carries only what the kept transcript does not already show. Asserted on the exact requests
/// the in-test backend receives, on both engines.
/// </summary>
public abstract class PromptPrefixTests(ServerFixture server)
{
    private readonly string _marker = "pp" + Guid.NewGuid().ToString("N")[..10];

    private static string Change(object[] characters) =>
        JsonSerializer.Serialize(
            new
            {
                timeOfDay = (string?)null,
                newCharacters = Array.Empty<string>(),
                characters,
                quests = Array.Empty<object>(),
            }
        );

    private static object Character(string name, string location, string[]? addItems = null) =>
        new
        {
            name,
            location,
            health = (string?)null,
            addConditions = Array.Empty<string>(),
            removeConditions = Array.Empty<string>(),
            addItems = addItems ?? [],
            removeItems = Array.Empty<string>(),
            relationships = Array.Empty<object>(),
        };

    /// <summary>Takes a turn, waits for its state job, and returns the turn and the narration request it
    /// made.</summary>
    private static async Task<(JsonElement Turn, JsonArray Messages)> TurnAsync(
        ScriptedBackend backend,
        HttpClient client,
        string adventureId,
        string text
    )
    {
        var turn = await AdventureTestData.TakeTurnAsync(client, adventureId, text);
        Assert.Equal("completed", turn.Str("status"));
        await BackgroundJobs.SettleAsync(client, adventureId, atLeast: turn.GetProperty("number").GetInt32());
        var request = backend.Requests.Single(r =>
            r["response_format"] is null
            && r["format"] is null
            && r["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>().Contains(text, StringComparison.Ordinal)
        );
        return (turn, request["messages"]!.AsArray());
    }

    private static List<string> Texts(JsonArray messages) =>
        [.. messages.Select(m => m!["role"]!.GetValue<string>() + ": " + m["content"]!.GetValue<string>())];

    private static int Count(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task each_prompt_begins_with_the_whole_previous_prompt_and_repeats_no_lore_or_unchanged_state()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Saltmere lore",
                scanDepth = 1,
                entries = new object[]
                {
                    new
                    {
                        id = 1,
                        keys = new[] { "lighthouse" },
                        content = $"LIGHT-{_marker}: the lighthouse has been " + "dark for ten years.",
                    },
                    new
                    {
                        id = 2,
                        keys = new[] { "cellar" },
                        content = $"CELLAR-{_marker}: the cellar floods at high " + "tide.",
                    },
                },
            }
        );
        backend.ScriptStructured(
            _marker + " one",
            Change([Character("Maren", "the lighthouse", ["brass key"]), Character("Wren", "the pier")])
        );
        backend.ScriptStructured(_marker + " two", Change([Character("Maren", "the cellar")]));
        backend.ScriptStructured(_marker + " three", Change([]));

        var (_, first) = await TurnAsync(backend, client, setup.AdventureId, $"{_marker} one: I climb the lighthouse");
        var (second, secondMessages) = await TurnAsync(
            backend,
            client,
            setup.AdventureId,
            $"{_marker} two: from " + "the lighthouse I go down to the cellar"
        );
        var (_, thirdMessages) = await TurnAsync(
            backend,
            client,
            setup.AdventureId,
            $"{_marker} three: I look " + "around the lighthouse cellar"
        );

        // The whole earlier prompt is where the next one starts, message for message.
        Assert.Equal(Texts(first), Texts(secondMessages).Take(first.Count));
        Assert.Equal(Texts(secondMessages), Texts(thirdMessages).Take(secondMessages.Count));

        // Turn 1's block sent the lighthouse entry; turns 2 and 3 fire it again but do not repeat it.
        var third = string.Join("\n", Texts(thirdMessages));
        Assert.Equal(1, Count(third, $"LIGHT-{_marker}"));
        Assert.Equal(1, Count(third, $"CELLAR-{_marker}"));
        Assert.Contains($"LIGHT-{_marker}", Texts(first)[^2], StringComparison.Ordinal);
        Assert.Contains($"CELLAR-{_marker}", Texts(secondMessages)[^2], StringComparison.Ordinal);

        // The state: turn 2 gets all of it (nothing was shown before), turn 3 only what changed since.
        var secondState = Texts(secondMessages)[^2];
        Assert.Contains("# World state (what is true now", secondState, StringComparison.Ordinal);
        Assert.Contains("- Maren: at the lighthouse; carries: brass key", secondState, StringComparison.Ordinal);
        Assert.Contains("- Wren: at the pier", secondState, StringComparison.Ordinal);
        var thirdBlock = Texts(thirdMessages)[^2];
        Assert.Contains("# World state changes", thirdBlock, StringComparison.Ordinal);
        Assert.Contains("- Maren: at the cellar; carries: brass key", thirdBlock, StringComparison.Ordinal);
        Assert.DoesNotContain("Wren", thirdBlock, StringComparison.Ordinal);
        Assert.DoesNotContain($"LIGHT-{_marker}", thirdBlock, StringComparison.Ordinal);

        // The inspector says why the entry is not in turn 2's block.
        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{second.Id()}/context")
        ).JsonAsync();
        var lore = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "triggered lore");
        Assert.Contains("already shows", lore.Str("note"), StringComparison.Ordinal);
        Assert.Contains(context.GetProperty("lore").GetProperty("fired").EnumerateArray(), f =>
            f.GetProperty("entryId").GetInt32() == 1
        );
    }

    [Fact]
    public async Task undoing_a_turn_takes_its_block_with_it_so_the_next_prompt_sends_the_lore_again()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Bells",
                entries = new object[]
                {
                    new
                    {
                        id = 1,
                        keys = new[] { "bell" },
                        content = $"BELL-{_marker}: the bell " + "was cast from a sunken ship.",
                    },
                },
            }
        );
        await TurnAsync(backend, client, setup.AdventureId, $"{_marker} one: the bell rings");
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();

        var (_, messages) = await TurnAsync(backend, client, setup.AdventureId, $"{_marker} again: the bell rings");
        var texts = Texts(messages);
        Assert.DoesNotContain(texts, t => t.Contains($"{_marker} one", StringComparison.Ordinal));
        Assert.Equal(1, Count(string.Join("\n", texts), $"BELL-{_marker}"));
        Assert.Contains($"BELL-{_marker}", texts[^2], StringComparison.Ordinal);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PromptPrefixTests_Sqlite(SqliteServerFixture server) : PromptPrefixTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PromptPrefixTests_Postgres(PostgresServerFixture server) : PromptPrefixTests(server);
