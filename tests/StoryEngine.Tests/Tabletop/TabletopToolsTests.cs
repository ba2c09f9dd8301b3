using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Agents;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Tabletop;

/// <summary>
/// Issue 23's checks through tool calling: a scripted backend that calls <c>request_check</c> and <c>roll</c> gets the
/// server's roll back in the same generation, the turn completes, and the rolls are events of that narration (a retry
/// rolls its own; the first ones stay in the log and stop counting).
/// </summary>
public abstract class TabletopToolsTests(ServerFixture server)
{
    [Fact]
    public async Task a_narrator_that_calls_request_check_gets_the_roll_back_and_the_turn_completes()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var id = setup.AdventureId;
        await (
            await owner.Client.PutAsJsonAsync(
                $"/api/v1/adventures/{id}/sheets/Ada",
                new
                {
                    abilities = new { dex = 16 },
                    skills = new[] { "stealth" },
                    level = 5,
                }
            )
        ).JsonAsync();
        var marker = "rc" + Guid.NewGuid().ToString("N")[..8];
        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            id,
            $"{{{{call:request_check}}}}{{{{call:roll}}}} {marker} I sneak {{{{tokens:4}}}}"
        );
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));

        var events = (await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{id}/events?limit=200"))
            .GetProperty("items")
            .EnumerateArray()
            .ToArray();
        var calls = events
            .Where(e => e.Str("type") == nameof(ToolCalled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        Assert.Equal(["request_check", "roll"], calls.Select(c => c.Str("tool")));
        Assert.All(calls, c => Assert.False(c.TryGetProperty("errorCode", out _), c.ToString()));
        var rolls = events
            .Where(e => e.Str("type") == nameof(DiceRolled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        Assert.Equal(2, rolls.Length);
        var check = rolls[0];
        Assert.Equal("narrator", check.Str("rolledBy"));
        Assert.Equal(turn.Id(), check.Str("turnId"));
        Assert.Equal(0, check.GetProperty("alternative").GetInt32());
        // Level 5: proficiency +3, Dex +3.
        Assert.Equal("1d20+6", check.Str("expression"));
        Assert.Equal("Stealth", check.GetProperty("check").Str("skill"));
        var total = check.GetProperty("total").GetInt32();
        Assert.Equal(total >= 15, check.GetProperty("check").GetProperty("success").GetBoolean());

        // The model got the server's numbers back in the same generation.
        var last = (await ScriptedBackend.InstanceAsync()).RequestsContaining(marker).Last();
        var toolMessages = last["messages"]!
            .AsArray()
            .Where(m => m!["role"]!.GetValue<string>() == "tool")
            .Select(m => m!["content"]!.ToJsonString())
            .ToArray();
        Assert.Equal(2, toolMessages.Length);
        Assert.Contains($"Ada rolled Stealth: {total}", toolMessages[0], StringComparison.Ordinal);
        Assert.Contains(
            rolls[1].GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            toolMessages[1],
            StringComparison.Ordinal
        );

        // A retry narrates afresh and rolls its own; the first narration's rolls stay in the log but stop counting.
        var retried = await (
            await owner.Client.PostAsync($"/api/v1/adventures/{id}/turns/{turn.Id()}/retry", null)
        ).JsonAsync();
        Assert.Equal(1, retried.GetProperty("chosen").GetInt32());
        var counted = (await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{id}/rolls"))
            .GetProperty("items")
            .EnumerateArray()
            .ToArray();
        Assert.Equal(2, counted.Length);
        Assert.DoesNotContain(counted, r => r.Id() == rolls[0].Str("rollId"));
        var all = (await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{id}/events?limit=200"))
            .GetProperty("items")
            .EnumerateArray()
            .Where(e => e.Str("type") == nameof(DiceRolled))
            .Select(e => e.GetProperty("payload"))
            .ToArray();
        Assert.Equal(4, all.Length);
        Assert.Equal(rolls[0].GetProperty("total").GetInt32(), all[0].GetProperty("total").GetInt32());

        // Choosing the first narration again brings its rolls back, as they fell.
        await (
            await owner.Client.PostAsJsonAsync(
                $"/api/v1/adventures/{id}/turns/{turn.Id()}/choose",
                new { alternative = 0 }
            )
        ).JsonAsync();
        var again = (await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{id}/rolls"))
            .GetProperty("items")
            .EnumerateArray()
            .Select(r => r.Id())
            .ToArray();
        Assert.Equal([rolls[1].Str("rollId"), rolls[0].Str("rollId")], again);
    }

    [Fact]
    public async Task in_a_plain_story_the_narrators_roll_is_refused_and_the_story_stays_plain()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            setup.AdventureId,
            "{{call:roll}} I jump the gap {{tokens:3}}"
        );
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));
        var events = (
            await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")
        )
            .GetProperty("items")
            .EnumerateArray()
            .ToArray();
        var call = events.Single(e => e.Str("type") == nameof(ToolCalled)).GetProperty("payload");
        Assert.Equal("rules_off", call.Str("errorCode"));
        Assert.DoesNotContain(events, e => e.Str("type") == nameof(DiceRolled));
    }

    [Fact]
    public async Task the_narrators_tools_include_roll_and_request_check_and_the_prompt_says_to_use_them()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        await (
            await owner.Client.PostAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/rolls",
                new { expression = "1d4" }
            )
        ).JsonAsync(System.Net.HttpStatusCode.Created);
        var marker = "tl" + Guid.NewGuid().ToString("N")[..8];
        await AdventureTestData.TakeTurnAsync(owner.Client, setup.AdventureId, $"{marker} I wait {{{{tokens:3}}}}");
        var request = (await ScriptedBackend.InstanceAsync()).RequestsContaining(marker).Last();
        var tools = request["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToArray();
        Assert.Contains("roll", tools);
        Assert.Contains("request_check", tools);
        Assert.Contains("call request_check", request.ToJsonString(), StringComparison.Ordinal);
    }
}

public sealed class TabletopToolsTests_Sqlite(ToolsSqliteFixture fixture)
    : TabletopToolsTests(fixture.Server),
        IClassFixture<ToolsSqliteFixture>;

public sealed class TabletopToolsTests_Postgres(ToolsPostgresFixture fixture)
    : TabletopToolsTests(fixture.Server),
        IClassFixture<ToolsPostgresFixture>;
