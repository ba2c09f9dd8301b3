using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>
/// The director (issue 22): goals and tasks as events, written by the player or proposed by the director; a review
/// every few turns through a scripted utility model marks tasks with evidence and writes a direction the narrator is
/// sent; undoing the reviewed turn takes the review back; invalid answers are skipped; bad input is a precise 4xx.
/// </summary>
public abstract class GoalsApiTests(ServerFixture server)
{
    private readonly string _marker = "goal" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> GoalsAsync(HttpClient client, string adventureId) =>
        await (await client.GetAsync($"/api/v1/adventures/{adventureId}/goals")).JsonAsync();

    private static async Task<string[]> EventTypesAsync(HttpClient client, string adventureId) =>
        (await (await client.GetAsync($"/api/v1/adventures/{adventureId}/events?limit=200")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray()
            .Select(e => e.Str("type"))
            .ToArray();

    private async Task<(string GoalId, string[] TaskIds)> HeistGoalAsync(HttpClient client, string adventureId)
    {
        var goal = await client.PostJsonAsync(
            $"/api/v1/adventures/{adventureId}/goals",
            new
            {
                title = $"The heist {_marker} succeeds or fails",
                description = "Rob the harbour bank.",
                byTurn = 40,
                tasks = new[] { "Case the vault", "Recruit a locksmith" },
            }
        );
        return (goal.Id(), [.. goal.GetProperty("tasks").EnumerateArray().Select(t => t.Id())]);
    }

    [Fact]
    public async Task a_players_goal_is_recorded_changed_and_sent_to_the_narrator()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var (goalId, tasks) = await HeistGoalAsync(client, setup.AdventureId);

        var board = await GoalsAsync(client, setup.AdventureId);
        var goal = Assert.Single(board.GetProperty("goals").EnumerateArray());
        Assert.Equal("active", goal.Str("status"));
        Assert.Equal("player", goal.Str("source"));
        Assert.Equal(40, goal.GetProperty("byTurn").GetInt32());
        Assert.Equal(["open", "open"], goal.GetProperty("tasks").EnumerateArray().Select(t => t.Str("status")));
        Assert.Equal(JsonValueKind.Null, board.GetProperty("direction").ValueKind);

        // Tasks by hand: one started, one added; the goal renamed.
        var started = await (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/goals/{goalId}/tasks/{tasks[0]}",
                new { status = "started" }
            )
        ).JsonAsync();
        Assert.Equal("started", started.GetProperty("tasks")[0].Str("status"));
        var changed = await (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/goals/{goalId}",
                new { addTasks = new[] { "Find a way out by sea" } }
            )
        ).JsonAsync();
        Assert.Equal(3, changed.GetProperty("tasks").GetArrayLength());

        // The narrator is told the goal and what is still to happen, for this prompt only.
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, _marker + " I walk to the bank");
        var prompt = backend.RequestsContaining(_marker + " I walk").Single()["messages"]!.AsArray();
        var direction = prompt
            .Select(m => m!["content"]!.ToJsonString())
            .Single(c => c.Contains("[Goals of the story", StringComparison.Ordinal));
        Assert.Contains("succeeds or fails", direction, StringComparison.Ordinal);
        Assert.Contains(
            "Case the vault; Recruit a locksmith; Find a way out by sea",
            direction,
            StringComparison.Ordinal
        );
        Assert.Contains("by turn 40", direction, StringComparison.Ordinal);

        // Ended by the player: no longer steered toward; taken up again.
        var ended = await (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/goals/{goalId}",
                new { status = "abandoned" }
            )
        ).JsonAsync();
        Assert.Equal("abandoned", ended.Str("status"));
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, _marker + " I go home");
        Assert.DoesNotContain(
            "[Goals of the story",
            backend.RequestsContaining(_marker + " I go home").Single()["messages"]!.ToJsonString(),
            StringComparison.Ordinal
        );
        var reopened = await (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/goals/{goalId}",
                new { status = "active" }
            )
        ).JsonAsync();
        Assert.Equal("active", reopened.Str("status"));
        var types = await EventTypesAsync(client, setup.AdventureId);
        Assert.Contains("GoalCreated", types);
        Assert.Contains("GoalTaskStarted", types);
        Assert.Contains("GoalUpdated", types);
        Assert.Contains("GoalCompleted", types);
        Assert.Contains("GoalReopened", types);
    }

    [Fact]
    public async Task the_director_reviews_every_few_turns_and_undo_takes_its_review_back()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var (goalId, tasks) = await HeistGoalAsync(client, setup.AdventureId);
        backend.ScriptStructured(
            _marker,
            JsonSerializer.Serialize(
                new
                {
                    tasks = new[]
                    {
                        new
                        {
                            goalId,
                            taskId = tasks[0],
                            status = "done",
                            evidenceTurns = new[] { 2 },
                        },
                    },
                    goals = Array.Empty<object>(),
                    direction = "Bring the locksmith Old Tom into the story.",
                }
            )
        );
        // Director:EveryTurns is 3: the third turn is reviewed.
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I look at the bank");
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I count the guards at the vault");
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I leave");
        var review = Assert.Single(await BackgroundJobs.SettleAsync(client, setup.AdventureId, "director"));
        Assert.Equal("succeeded", review.Str("state"));

        var asked = Assert.Single(backend.StructuredRequestsContaining(_marker));
        var question = asked["messages"]!.ToJsonString();
        Assert.Contains(goalId, question, StringComparison.Ordinal);
        Assert.Contains("[Turn 2]", question, StringComparison.Ordinal);
        Assert.Contains("I count the guards", question, StringComparison.Ordinal);
        var board = await GoalsAsync(client, setup.AdventureId);
        var task = board.GetProperty("goals")[0].GetProperty("tasks")[0];
        Assert.Equal("done", task.Str("status"));
        Assert.Equal([2], task.GetProperty("evidenceTurns").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal("Bring the locksmith Old Tom into the story.", board.Str("direction"));
        Assert.Equal(3, board.GetProperty("reviewedThroughTurn").GetInt32());
        Assert.Contains("PlanRevised", await EventTypesAsync(client, setup.AdventureId));
        // The director's usage is metered as its own purpose.
        Assert.NotNull(
            BackgroundJobs.UsageFor(await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(), "director")
        );

        // The next prompt carries the direction; only open tasks are listed.
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, _marker + " next");
        var sent = string.Join(
            "\n",
            backend.RequestsContaining(_marker + " next").Single()["messages"]!
                .AsArray()
                .Select(m => m!["content"]!.GetValue<string>())
        );
        Assert.Contains("Director's note: Bring the locksmith Old Tom into the story.", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Case the vault", sent, StringComparison.Ordinal);

        // Undo back through turn 3: the review decided at it no longer counts.
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        board = await GoalsAsync(client, setup.AdventureId);
        Assert.Equal("open", board.GetProperty("goals")[0].GetProperty("tasks")[0].Str("status"));
        Assert.Equal(JsonValueKind.Null, board.GetProperty("direction").ValueKind);
        Assert.Equal(0, board.GetProperty("reviewedThroughTurn").GetInt32());
    }

    [Fact]
    public async Task invalid_reviews_are_asked_again_once_then_skipped_without_changing_the_goals()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var (goalId, tasks) = await HeistGoalAsync(client, setup.AdventureId);
        backend.ScriptStructured(
            _marker,
            "the heist goes well",
            JsonSerializer.Serialize(
                new
                {
                    tasks = new[]
                    {
                        new
                        {
                            goalId,
                            taskId = tasks[1],
                            status = "done",
                            evidenceTurns = new[] { 99 },
                        },
                    },
                    goals = Array.Empty<object>(),
                    direction = "Go on.",
                }
            )
        );
        for (var i = 1; i <= 3; i++)
        {
            await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"I wait {i}");
        }
        await BackgroundJobs.SettleAsync(client, setup.AdventureId, "director");
        Assert.Equal(2, backend.StructuredRequestsContaining(_marker).Count);
        var board = await GoalsAsync(client, setup.AdventureId);
        Assert.All(board.GetProperty("goals")[0].GetProperty("tasks").EnumerateArray(), t =>
            Assert.Equal("open", t.Str("status"))
        );
        Assert.Equal(JsonValueKind.Null, board.GetProperty("direction").ValueKind);
        Assert.Equal(3, board.GetProperty("reviewedThroughTurn").GetInt32());
        Assert.Contains("PlanReviewSkipped", await EventTypesAsync(client, setup.AdventureId));
    }

    [Fact]
    public async Task the_director_proposes_goals_from_the_world_and_story()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, _marker + " I arrive in Saltmere");
        // The turn's state job has asked its own question before the proposal's answer is scripted.
        await BackgroundJobs.SettleAsync(client, setup.AdventureId);
        backend.ScriptStructured(
            _marker,
            JsonSerializer.Serialize(
                new
                {
                    goals = new[]
                    {
                        new
                        {
                            title = "Find who put out the lighthouse",
                            description = "Someone wants ships on the rocks.",
                            byTurn = (int?)30,
                            tasks = new[] { "Question the keeper", "Search the cliffs" },
                        },
                    },
                }
            )
        );
        var job = await (
            await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/goals/propose", null)
        ).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("director", job.Str("type"));
        var board = await Poll.UntilAsync(
            () => GoalsAsync(client, setup.AdventureId),
            b => b.GetProperty("goals").GetArrayLength() > 0,
            b => "No goal was proposed: " + b.GetRawText(),
            TimeSpan.FromSeconds(30)
        );
        var goal = board.GetProperty("goals")[0];
        Assert.Equal("director", goal.Str("source"));
        Assert.Equal("Find who put out the lighthouse", goal.Str("title"));
        Assert.Equal(30, goal.GetProperty("byTurn").GetInt32());
        Assert.Equal(2, goal.GetProperty("tasks").GetArrayLength());
        var asked = Assert.Single(backend.StructuredRequestsContaining(_marker), r =>
            r["response_format"]!["json_schema"]!["name"]!.GetValue<string>() == "director"
        );
        Assert.Contains("Saltmere", asked["messages"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task bad_goals_are_refused_with_what_is_wrong_and_nothing_is_recorded()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var goals = $"/api/v1/adventures/{setup.AdventureId}/goals";
        var problem = await (await client.PostAsJsonAsync(goals, new { title = " ", byTurn = 0 })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("byTurn", out _));
        await (await client.PostAsJsonAsync(goals, new { title = new string('x', 201) })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        await (await client.PostAsJsonAsync(goals, new { title = "ok", tasks = new[] { "" } })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.Equal(0, (await GoalsAsync(client, setup.AdventureId)).GetProperty("goals").GetArrayLength());

        var (goalId, tasks) = await HeistGoalAsync(client, setup.AdventureId);
        await (await client.PatchAsJsonAsync($"{goals}/{goalId}", new { status = "maybe" })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        await (await client.PatchAsJsonAsync($"{goals}/nope", new { title = "x" })).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (
            await client.PatchAsJsonAsync($"{goals}/{goalId}/tasks/nope", new { status = "done" })
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (
            await client.PatchAsJsonAsync($"{goals}/{goalId}/tasks/{tasks[0]}", new { status = "open" })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await client.GetAsync($"/api/v1/adventures/{Guid.NewGuid():N}/goals")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class GoalsApiTests_Sqlite(SqliteServerFixture server) : GoalsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class GoalsApiTests_Postgres(PostgresServerFixture server) : GoalsApiTests(server);
