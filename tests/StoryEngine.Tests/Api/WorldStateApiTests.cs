using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 5's world state, end to end with the scripted backend: after each narration a background job asks the
/// utility model what changed, validates it and records it in the story log; the state is a projection of the log
/// (so undo, retry and fork are right), shows in the next prompt, and the player can correct it.
/// </summary>
public abstract class WorldStateApiTests(ServerFixture server)
{
    private readonly string _marker = "ws" + Guid.NewGuid().ToString("N")[..10];

    private static string Change(
        string? timeOfDay = null,
        string[]? newCharacters = null,
        object[]? characters = null,
        object[]? quests = null
    ) =>
        JsonSerializer.Serialize(
            new
            {
                timeOfDay,
                newCharacters = newCharacters ?? [],
                characters = characters ?? [],
                quests = quests ?? [],
            }
        );

    private static object Character(
        string name,
        string? location = null,
        string? health = null,
        string[]? addItems = null,
        string[]? removeItems = null,
        string[]? addConditions = null,
        object[]? relationships = null
    ) =>
        new
        {
            name,
            location,
            health,
            addConditions = addConditions ?? [],
            removeConditions = Array.Empty<string>(),
            addItems = addItems ?? [],
            removeItems = removeItems ?? [],
            relationships = relationships ?? [],
        };

    /// <summary>Takes a turn and waits until the state job it queued has finished.</summary>
    private async Task<JsonElement> TurnAsync(HttpClient client, string adventureId, string text)
    {
        var turn = await AdventureTestData.TakeTurnAsync(client, adventureId, text);
        Assert.Equal("completed", turn.Str("status"));
        await WaitForStateJobsAsync(client, adventureId);
        return turn;
    }

    private static Task<JsonElement[]> WaitForStateJobsAsync(HttpClient client, string adventureId) =>
        Poll.UntilAsync(
            async () =>
                (await (await client.GetAsync($"/api/v1/jobs?adventureId={adventureId}")).JsonAsync())
                    .GetProperty("items")
                    .EnumerateArray()
                    .Where(j => j.Str("type") == "state.extract")
                    .ToArray(),
            jobs => jobs.Length > 0 && jobs.All(j => j.Str("state") is "succeeded" or "dead" or "cancelled"),
            jobs => "The state jobs did not finish: " + string.Join(", ", jobs.Select(j => j.Str("state"))),
            TimeSpan.FromSeconds(30)
        );

    private static async Task<JsonElement> StateAsync(HttpClient client, string adventureId, int? atTurn = null) =>
        (
            await (
                await client.GetAsync(
                    $"/api/v1/adventures/{adventureId}/state" + (atTurn is null ? "" : $"?atTurn={atTurn}")
                )
            ).JsonAsync()
        ).GetProperty("state");

    private static async Task<string[]> EventTypesAsync(HttpClient client, string adventureId) =>
        (await (await client.GetAsync($"/api/v1/adventures/{adventureId}/events?limit=200")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray()
            .Select(e => e.Str("type"))
            .ToArray();

    private static string? Location(JsonElement state, string name) =>
        state.TryGetProperty("characters", out var cs)
        && cs.TryGetProperty(name, out var c)
        && c.TryGetProperty("location", out var l)
            ? l.GetString()
            : null;

    [Fact]
    public async Task a_narrations_state_change_is_recorded_shown_by_get_and_sent_in_the_next_prompt()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        backend.ScriptStructured(
            _marker + " one",
            Change(
                "dusk",
                ["Old Tom"],
                [
                    Character(
                        "Maren",
                        "the lighthouse",
                        addItems: ["brass key"],
                        relationships: [new { with = "Old Tom", attitude = "distrusts" }]
                    ),
                    Character("Old Tom", "the pier", health: "limping"),
                ],
                [
                    new
                    {
                        name = "Find the keeper",
                        status = "active",
                        notes = (string?)"The light went out.",
                    },
                ]
            )
        );

        var turn = await TurnAsync(client, setup.AdventureId, _marker + " one: I climb to the lighthouse");

        var state = await StateAsync(client, setup.AdventureId);
        Assert.Equal("dusk", state.Str("timeOfDay"));
        var maren = state.GetProperty("characters").GetProperty("Maren");
        Assert.Equal("the lighthouse", maren.Str("location"));
        Assert.Equal(["brass key"], maren.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("distrusts", maren.GetProperty("relationships").Str("Old Tom"));
        Assert.Equal("limping", state.GetProperty("characters").GetProperty("Old Tom").Str("health"));
        Assert.Equal("active", state.GetProperty("quests").GetProperty("Find the keeper").Str("status"));
        Assert.Contains("StateChanged", await EventTypesAsync(client, setup.AdventureId));
        // The state model's call is metered like the narration's.
        var stateUsage = BackgroundJobs.UsageFor(
            await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(),
            Core.Usage.UsagePurposes.State
        );
        Assert.Equal(1, stateUsage?.GetProperty("calls").GetInt64());

        // The utility model was asked in a JSON schema, about this narration, knowing the cast.
        var asked = Assert.Single(backend.StructuredRequestsContaining(_marker + " one"));
        Assert.Equal("json_schema", asked["response_format"]!["type"]!.GetValue<string>());
        Assert.Equal("state_change", asked["response_format"]!["json_schema"]!["name"]!.GetValue<string>());
        Assert.Contains("Maren", asked["messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("[Narration]", asked["messages"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(turn.Str("narration")[^5..], asked["messages"]!.ToJsonString(), StringComparison.Ordinal);

        // The job is visible to its owner.
        var jobs = await WaitForStateJobsAsync(client, setup.AdventureId);
        var job = await (await client.GetAsync($"/api/v1/jobs/{jobs[0].Id()}")).JsonAsync();
        Assert.Equal("state.extract", job.Str("type"));
        Assert.Equal("succeeded", job.Str("state"));
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());

        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, _marker + " two: I look at the key");
        var prompt = backend.RequestsContaining(_marker + " two").Single()["messages"]!.AsArray();
        var stateMessage = prompt
            .Select(m => m!["content"]!.ToJsonString())
            .Single(c => c.Contains("World state", StringComparison.Ordinal));
        Assert.Contains("brass key", stateMessage, StringComparison.Ordinal);
        Assert.Contains("at the lighthouse", stateMessage, StringComparison.Ordinal);
        // It sits in the volatile block: after the transcript, just before the action.
        Assert.Contains(_marker + " two", prompt[^1]!["content"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("World state", prompt[^2]!["content"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task invalid_answers_are_asked_again_once_then_skipped_and_the_state_is_unchanged()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        backend.ScriptStructured(_marker + " one", Change(characters: [Character("Maren", "the cellar")]));
        await TurnAsync(client, setup.AdventureId, _marker + " one: down the stairs");
        var before = (await StateAsync(client, setup.AdventureId)).GetRawText();

        // First not JSON at all, then JSON with a wrong type and a character nobody knows.
        backend.ScriptStructured(
            _marker + " two",
            "The fog thickens and Maren",
            """{"timeOfDay":5,"newCharacters":[],"characters":[],"quests":[]}""",
            Change(characters: [Character("Maren", "the roof")])
        );
        await TurnAsync(client, setup.AdventureId, _marker + " two: up again");

        Assert.Equal(2, backend.StructuredRequestsContaining(_marker + " two").Count);
        Assert.Equal(before, (await StateAsync(client, setup.AdventureId)).GetRawText());
        var types = await EventTypesAsync(client, setup.AdventureId);
        Assert.Single(types, t => t == "StateChanged");
        Assert.Single(types, t => t == "StateExtractionSkipped");

        backend.ScriptStructured(
            _marker + " three",
            Change(characters: [Character("Nobody", "the moon")]),
            Change(characters: [Character("Nobody", "the sun")])
        );
        await TurnAsync(client, setup.AdventureId, _marker + " three: wait");
        Assert.Equal(before, (await StateAsync(client, setup.AdventureId)).GetRawText());
        var events = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")
        ).JsonAsync();
        var skipped = events.GetProperty("items").EnumerateArray().Last(e => e.Str("type") == "StateExtractionSkipped");
        Assert.Contains(
            "'Nobody' is not a known character",
            skipped.GetProperty("payload").Str("reason"),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task at_turn_undo_retry_and_fork_see_only_the_changes_of_the_turns_that_stand()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        backend.ScriptStructured(_marker + " one", Change(characters: [Character("Maren", "the lighthouse")]));
        var one = await TurnAsync(client, setup.AdventureId, _marker + " one");
        backend.ScriptStructured(_marker + " two", Change(characters: [Character("Maren", "the harbour")]));
        await TurnAsync(client, setup.AdventureId, _marker + " two");

        Assert.Null(Location(await StateAsync(client, setup.AdventureId, atTurn: 0), "Maren"));
        Assert.Equal("the lighthouse", Location(await StateAsync(client, setup.AdventureId, atTurn: 1), "Maren"));
        Assert.Equal("the harbour", Location(await StateAsync(client, setup.AdventureId), "Maren"));
        await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/state?atTurn=3")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );

        // A fork at turn 1 keeps turn 1's change only.
        var fork = await client.PostJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/fork",
            new { atTurnId = one.Id() }
        );
        Assert.Equal("the lighthouse", Location(await StateAsync(client, fork.Id()), "Maren"));

        // Undo takes turn 2's change with it.
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        Assert.Equal("the lighthouse", Location(await StateAsync(client, setup.AdventureId), "Maren"));

        // A retried narration replaces the first one's change with its own (here: none).
        (
            await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{one.Id()}/retry", null)
        ).EnsureSuccessStatusCode();
        await WaitForStateJobsAsync(client, setup.AdventureId);
        Assert.Null(Location(await StateAsync(client, setup.AdventureId), "Maren"));
    }

    [Fact]
    public async Task the_player_corrects_the_state_with_a_merge_patch_recorded_as_an_event()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        backend.ScriptStructured(
            _marker + " one",
            Change("noon", characters: [Character("Maren", "the lighthouse", addItems: ["lamp", "rope"])])
        );
        await TurnAsync(client, setup.AdventureId, _marker + " one");

        var patched = await (
            await client.PatchAsync(
                $"/api/v1/adventures/{setup.AdventureId}/state",
                Patch(
                    """
                    {"timeOfDay": "night", "characters": {"Maren": {"health": "wounded", "inventory": ["lamp"]},
                     "Wren": {"location": "the lighthouse"}},
                     "quests": {"Relight the lamp": {"status": "active"}}}
                    """
                )
            )
        ).JsonAsync();
        var state = patched.GetProperty("state");
        Assert.Equal("night", state.Str("timeOfDay"));
        Assert.Equal("wounded", state.GetProperty("characters").GetProperty("Maren").Str("health"));
        Assert.Equal("the lighthouse", Location(state, "Maren")); // untouched fields stay
        Assert.Equal(
            ["lamp"],
            state
                .GetProperty("characters")
                .GetProperty("Maren")
                .GetProperty("inventory")
                .EnumerateArray()
                .Select(i => i.GetString())
        );
        Assert.Equal("the lighthouse", Location(state, "Wren"));
        Assert.Equal(state.GetRawText(), (await StateAsync(client, setup.AdventureId)).GetRawText());
        Assert.Contains("StateCorrected", await EventTypesAsync(client, setup.AdventureId));

        // Bad corrections change nothing and say what is wrong.
        var good = (await StateAsync(client, setup.AdventureId)).GetRawText();
        foreach (
            var (bad, status, code) in new[]
            {
                ("""{"timeOfDay": 5}""", 400, "validation_failed"),
                ("""{"weather": "rain"}""", 400, "validation_failed"),
                ("""{"characters": {"Maren": {"relationships": {"Ghost": "fears"}}}}""", 400, "validation_failed"),
                ("""{"quests": {"Relight the lamp": {"status": "abandoned"}}}""", 400, "validation_failed"),
                ("""{"characters": {"Maren": {"inventory": "lamp"}}}""", 400, "validation_failed"),
                ("""{"characters": {"Maren": {"inventory": [""]}}}""", 400, "validation_failed"),
                ($$"""{"timeOfDay": "{{new string('t', 600)}}"}""", 400, "validation_failed"),
                ("[1, 2]", 400, "validation_failed"),
                ("""{"timeOfDay": """, 400, "malformed_json"),
            }
        )
        {
            var response = await client.PatchAsync($"/api/v1/adventures/{setup.AdventureId}/state", Patch(bad));
            await response.AssertProblemAsync((HttpStatusCode)status, code);
        }
        await (
            await client.PatchAsync(
                $"/api/v1/adventures/{setup.AdventureId}/state",
                new StringContent("timeOfDay=dawn", Encoding.UTF8, "text/plain")
            )
        ).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Equal(good, (await StateAsync(client, setup.AdventureId)).GetRawText());

        // Someone else's adventure is not found, for reading and for correcting.
        using var stranger = await server.CreateUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/adventures/{setup.AdventureId}/state")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (
            await stranger.PatchAsync(
                $"/api/v1/adventures/{setup.AdventureId}/state",
                Patch("""{"timeOfDay": "dawn"}""")
            )
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task jobs_are_listed_for_their_owner_only_and_filtered_by_state()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await TurnAsync(client, setup.AdventureId, _marker + " one");
        var jobs = await WaitForStateJobsAsync(client, setup.AdventureId);
        var id = Assert.Single(jobs).Id();
        // Memory indexing (and summaries, when due) run on the same queue; this test is about the state job.
        Assert.Single(
            (await (await client.GetAsync($"/api/v1/jobs?state=succeeded&adventureId={setup.AdventureId}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray(),
            j => j.Str("type") == "state.extract"
        );
        Assert.Empty(
            (await (await client.GetAsync($"/api/v1/jobs?state=dead&adventureId={setup.AdventureId}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray()
        );
        await (await client.GetAsync("/api/v1/jobs?state=sleeping")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );

        using var stranger = await server.CreateUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/jobs/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(
            (await (await stranger.GetAsync($"/api/v1/jobs?adventureId={setup.AdventureId}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray()
        );
    }

    private static StringContent Patch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");
}

[Collection(SqliteCollection.Name)]
public sealed class WorldStateApiTests_Sqlite(SqliteServerFixture server) : WorldStateApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WorldStateApiTests_Postgres(PostgresServerFixture server) : WorldStateApiTests(server);
