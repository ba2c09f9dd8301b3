using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 19: a turn's transcript comes from the per-adventure cache, folded forward by the events since the last turn.
/// The prompt must be the one the log gives: the same request reaches the backend whether the cache was warm or
/// cold, after an edit, an undo, a retry and a chosen alternative, a state correction, and in a fork. Each case
/// retries the newest turn twice, once warm and once after the cache forgot the adventure, and compares the requests.
/// </summary>
public abstract class TranscriptCacheTests(ServerFixture server)
{
    private readonly string _marker = "tc" + Guid.NewGuid().ToString("N")[..10];

    [Theory]
    [InlineData("nothing")]
    [InlineData("edit")]
    [InlineData("undo")]
    [InlineData("retry and choose")]
    [InlineData("state")]
    [InlineData("fork")]
    public async Task a_turns_prompt_is_the_same_from_the_warm_cache_as_from_the_log(string change)
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var cache = server.Services.GetRequiredService<TranscriptCache>();
        using var client = await server.CreateUserClientAsync();
        var adventureId = (await AdventureTestData.CreateAsync(client)).AdventureId;
        var turns = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            turns.Add((await AdventureTestData.TakeTurnAsync(client, adventureId, $"{_marker} move {i}")).Id());
        }
        await BackgroundJobs.SettleAsync(client, adventureId, atLeast: 4);
        var newest = turns[^1];
        switch (change)
        {
            case "edit":
                await Ok(
                    client.PatchAsync(
                        $"/api/v1/adventures/{adventureId}/turns/{turns[2]}",
                        JsonContent.Create(new { narration = $"{_marker} edited narration" })
                    )
                );
                break;
            case "undo":
                await Ok(client.PostAsync($"/api/v1/adventures/{adventureId}/undo", null));
                newest = turns[2];
                break;
            case "retry and choose":
                await RetryAsync(client, adventureId, newest);
                await Ok(
                    client.PostAsJsonAsync(
                        $"/api/v1/adventures/{adventureId}/turns/{newest}/choose",
                        new { alternative = 0 }
                    )
                );
                break;
            case "state":
                await Ok(
                    client.PatchAsync(
                        $"/api/v1/adventures/{adventureId}/state",
                        new StringContent("""{"timeOfDay":"dusk"}""", Encoding.UTF8, "application/merge-patch+json")
                    )
                );
                break;
            case "fork":
                adventureId = (
                    await Ok(
                        client.PostAsJsonAsync($"/api/v1/adventures/{adventureId}/fork", new { atTurnId = turns[2] })
                    )
                ).Id();
                newest = (await AdventureTestData.TakeTurnAsync(client, adventureId, $"{_marker} move 5")).Id();
                break;
        }

        var warm = await RetryAsync(client, adventureId, newest);
        Assert.True(cache.HitsFor(adventureId) > 0, "the retry should have taken its transcript from the cache");
        cache.Forget(adventureId);
        var cold = await RetryAsync(client, adventureId, newest);
        Assert.Equal(0, cache.HitsFor(adventureId));

        Assert.Equal(cold.ToJsonString(), warm.ToJsonString());
        var prompt = warm.ToJsonString();
        Assert.Contains($"{_marker} move 2", prompt, StringComparison.Ordinal);
        if (change == "edit")
        {
            Assert.Contains($"{_marker} edited narration", prompt, StringComparison.Ordinal);
        }
        if (change is "undo" or "fork")
        {
            Assert.DoesNotContain($"{_marker} move 4", prompt, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A new turn's inputs are read while its action is being committed, as of the adventure before the action's
    /// event (issue 19). They must give the prompt that a read after the commit gives, from a warm cache and a cold
    /// one alike.
    /// </summary>
    [Fact]
    public async Task inputs_read_while_the_action_commits_give_the_prompt_a_read_after_the_commit_gives()
    {
        await ScriptedBackend.InstanceAsync();
        var cache = server.Services.GetRequiredService<TranscriptCache>();
        var writer = server.Services.GetRequiredService<StoryWriter>();
        var inputs = server.Services.GetRequiredService<NarrationInputs>();
        var builder = server.Services.GetRequiredService<ContextBuilder>();
        var settings = server.Services.GetRequiredService<INarrator>().Settings;
        using var client = await server.CreateUserClientAsync();
        var ownerId = (await (await client.GetAsync("/api/v1/me")).JsonAsync()).Str("id");
        var adventureId = (await AdventureTestData.CreateAsync(client)).AdventureId;
        for (var i = 1; i <= 3; i++)
        {
            await AdventureTestData.TakeTurnAsync(client, adventureId, $"{_marker} move {i}");
        }
        await BackgroundJobs.SettleAsync(client, adventureId, atLeast: 3);
        var before = await writer.LoadAsync(ownerId, adventureId, CancellationToken.None);
        var action = new PlayerAction("do", $"{_marker} move 4");
        var turn = new TurnAt(Guid.CreateVersion7().ToString(), before.TurnCount + 1, null);

        var warm = Prompt(await inputs.LoadAsync(before, turn, action, CancellationToken.None));
        cache.Forget(adventureId);
        var cold = Prompt(await inputs.LoadAsync(before, turn, action, CancellationToken.None));
        var appended = await writer.AppendAsync(
            before,
            ownerId,
            [new ActionTaken(turn.TurnId, turn.Number, action.Kind, action.Text)],
            [],
            CancellationToken.None
        );
        cache.Forget(adventureId);
        var after = Prompt(await inputs.LoadAsync(appended.Adventure, turn.TurnId, action, CancellationToken.None));

        Assert.Equal(after, warm);
        Assert.Equal(after, cold);
        Assert.Contains($"{_marker} move 3", after, StringComparison.Ordinal);
        Assert.Equal(2, after.Split($"{_marker} move 4").Length); // the action is in the prompt once

        string Prompt(NarrationInput input) =>
            string.Join("\n---\n", builder.Build(input, settings).Messages.Select(m => $"{m.Role}: {m.Text}"));
    }

    /// <summary>Retries the turn, waits for its narration, and returns the messages the backend was sent for
    /// it.</summary>
    private async Task<JsonArray> RetryAsync(HttpClient client, string adventureId, string turnId)
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var before = backend.RequestsContaining(_marker).Count;
        var turn = await Ok(client.PostAsync($"/api/v1/adventures/{adventureId}/turns/{turnId}/retry", null));
        Assert.Equal("completed", turn.Str("status"));
        var requests = backend
            .RequestsContaining(_marker)
            .Skip(before)
            .Where(r => r["response_format"] is null && r["format"] is null)
            .ToList();
        return Assert.Single(requests)["messages"]!.AsArray();
    }

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync(response.StatusCode);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class TranscriptCacheTests_Sqlite(SqliteServerFixture server) : TranscriptCacheTests(server);

[Collection(PostgresCollection.Name)]
public sealed class TranscriptCacheTests_Postgres(PostgresServerFixture server) : TranscriptCacheTests(server);
