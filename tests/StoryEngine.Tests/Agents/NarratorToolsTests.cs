using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>
/// The narrator's tools (issue 22): a scripted backend with <c>Tools: true</c> that calls each built-in tool, a tool
/// that fails, and more calls than the limit; every call is a story event, in the context report, and replays.
/// </summary>
public abstract class NarratorToolsTests(ServerFixture server)
{
    [Fact]
    public async Task the_narrator_calls_each_tool_and_every_call_is_an_event_in_the_report_and_in_usage()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        await owner.Client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Harbour lore",
                entries = new object[]
                {
                    new
                    {
                        id = 0,
                        name = "The lighthouse",
                        keys = new[] { "beacon" },
                        content = "Dark for ten years.",
                    },
                },
            }
        );

        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            setup.AdventureId,
            "{{call:search_lore}}{{call:recall_memory}}{{call:get_state}}{{call:propose_state_update}} I look "
                + "around {{tokens:4}}"
        );
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));
        Assert.StartsWith("Narration of", turn.GetProperty("alternatives")[0].Str("text"), StringComparison.Ordinal);

        var events = await EventsAsync(owner.Client, setup.AdventureId);
        var calls = events
            .Where(e => e.Str("type") == nameof(ToolCalled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        Assert.Equal(
            ["search_lore", "recall_memory", "get_state", "propose_state_update"],
            calls.Select(c => c.Str("tool"))
        );
        Assert.All(calls, c => Assert.False(c.TryGetProperty("errorCode", out _), c.ToString()));
        Assert.Contains("Dark for ten years.", calls[0].Str("result"), StringComparison.Ordinal);
        // The tool calls and the state change come right before the narration's end, in one append.
        var types = events.Select(e => e.Str("type")).ToArray();
        var completed = Array.LastIndexOf(types, nameof(NarrationCompleted));
        Assert.Equal(nameof(StateChanged), types[completed - 1]);
        Assert.Equal(nameof(ToolCalled), types[completed - 2]);

        // The proposed change is in the world state, as an extracted one would be.
        var state = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/state");
        Assert.Equal("dusk", state.GetProperty("state").Str("timeOfDay"));
        Assert.Equal(
            "the pier",
            state.GetProperty("state").GetProperty("characters").GetProperty("Maren").Str("location")
        );

        // The inspector's report lists the calls.
        var context = await owner.Client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context"
        );
        Assert.Equal(4, context.GetProperty("tools").GetArrayLength());

        // Every round of the loop is a model call; its tokens are all counted (4 rounds of 110 tokens + the last).
        var usage = turn.GetProperty("alternatives")[0].GetProperty("usage");
        Assert.True(usage.GetProperty("inputTokens").GetInt64() > 400, usage.ToString());
    }

    [Fact]
    public async Task a_tool_error_goes_back_to_the_model_and_the_turn_still_completes_without_the_change()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            setup.AdventureId,
            "{{call:propose_invalid}} I wave {{tokens:3}}"
        );
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));
        var calls = (await EventsAsync(owner.Client, setup.AdventureId))
            .Where(e => e.Str("type") == nameof(ToolCalled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        Assert.Equal(["validation_failed"], calls.Select(c => c.Str("errorCode")));
        Assert.Contains("Nobody Known", calls[0].Str("result"), StringComparison.Ordinal);
        var events = await EventsAsync(owner.Client, setup.AdventureId);
        Assert.DoesNotContain(events, e => e.Str("type") == nameof(StateChanged));
    }

    [Fact]
    public async Task calls_past_the_limit_are_refused_and_the_model_is_made_to_write()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            setup.AdventureId,
            "{{calls:get_state:9}} I wait {{tokens:3}}"
        );
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));
        Assert.StartsWith("Narration of", turn.GetProperty("alternatives")[0].Str("text"), StringComparison.Ordinal);
        var calls = (await EventsAsync(owner.Client, setup.AdventureId))
            .Where(e => e.Str("type") == nameof(ToolCalled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        // Narrator:MaxToolCalls is 4 here: four answered, the fifth refused, then a round without tools.
        Assert.Equal(5, calls.Length);
        Assert.All(calls.Take(4), c => Assert.False(c.TryGetProperty("errorCode", out _)));
        Assert.Equal("tool_limit", calls[4].Str("errorCode"));
        var last = (await ScriptedBackend.InstanceAsync()).RequestsContaining("I wait").Last();
        Assert.Null(last["tools"]);
    }

    private static async Task<JsonElement[]> EventsAsync(HttpClient client, string adventureId) =>
        [
            .. (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{adventureId}/events?limit=200"))
                .GetProperty("items")
                .EnumerateArray(),
        ];

    /// <summary>Settings for a server whose scripted backend takes tools.</summary>
    public static void UseTools(ServerFixture fixture)
    {
        fixture.ExtraSettings["Backends:scripted:Tools"] = "true";
        fixture.ExtraSettings["Narrator:MaxToolCalls"] = "4";
    }
}

public sealed class ToolsSqliteFixture : IAsyncLifetime
{
    public SqliteServerFixture Server { get; } = new();

    public Task InitializeAsync()
    {
        NarratorToolsTests.UseTools(Server);
        return Server.InitializeAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

public sealed class ToolsPostgresFixture : IAsyncLifetime
{
    public PostgresServerFixture Server { get; } = new();

    public Task InitializeAsync()
    {
        NarratorToolsTests.UseTools(Server);
        return Server.InitializeAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

public sealed class NarratorToolsTests_Sqlite(ToolsSqliteFixture fixture)
    : NarratorToolsTests(fixture.Server),
        IClassFixture<ToolsSqliteFixture>;

public sealed class NarratorToolsTests_Postgres(ToolsPostgresFixture fixture)
    : NarratorToolsTests(fixture.Server),
        IClassFixture<ToolsPostgresFixture>;
