using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>A server with the model judge on (Evaluation:Judge; off in the shared servers).</summary>
public sealed class JudgeSqliteFixture : SqliteServerFixture
{
    public JudgeSqliteFixture() => ExtraSettings["Evaluation:Judge"] = "true";
}

/// <inheritdoc cref="JudgeSqliteFixture"/>
public sealed class JudgePostgresFixture : PostgresServerFixture
{
    public JudgePostgresFixture() => ExtraSettings["Evaluation:Judge"] = "true";
}

/// <summary>
/// The optional model judge of evaluations (issue 22): the utility model is shown the lore the narration's prompt
/// carried and the state before the turn, and the contradictions it names become a check of the evaluation, under a
/// version of its own; its answers are read strictly.
/// </summary>
public abstract class JudgeTests(ServerFixture server)
{
    private readonly string _marker = "judge" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task the_judge_names_a_contradiction_with_the_lore_in_the_evaluation()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Bells",
                entries = new[]
                {
                    new
                    {
                        id = 1,
                        keys = new[] { "bell" },
                        content = $"The harbour bell {_marker} was melted down years ago; no bell rings in Saltmere.",
                    },
                },
            }
        );
        backend.ScriptStructured(
            _marker,
            JsonSerializer.Serialize(
                new
                {
                    contradictions = new[]
                    {
                        new
                        {
                            claim = "the harbour bell rings",
                            conflictsWith = "the bell was melted down",
                            source = "lore",
                        },
                    },
                }
            )
        );

        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I ring the bell {{tokens:3}}");

        var evaluation = await Poll.UntilAsync(
            async () =>
                (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events"))
                    .GetProperty("items")
                    .EnumerateArray()
                    .Where(e => e.Str("type") == nameof(TurnEvaluated))
                    .Select(e => (JsonElement?)e.GetProperty("payload"))
                    .FirstOrDefault(),
            found => found is not null,
            _ => "the narration was not evaluated"
        );
        Assert.Equal(turn.Id(), evaluation!.Value.Str("turnId"));
        Assert.Equal("heuristics-1+judge-1", evaluation.Value.Str("evaluatorVersion"));
        var check = evaluation
            .Value.GetProperty("checks")
            .EnumerateArray()
            .Single(c => c.Str("name") == "contradictions");
        Assert.True(check.GetProperty("score").GetDouble() < 1);
        Assert.Contains("the harbour bell rings", check.Str("finding"), StringComparison.Ordinal);
        Assert.Contains("contradicts the lore", check.Str("finding"), StringComparison.Ordinal);

        // The judge was shown the lore the prompt carried and the passage, in its own schema.
        var asked = Assert.Single(backend.StructuredRequestsContaining(_marker));
        Assert.Equal("continuity", asked["response_format"]!["json_schema"]!["name"]!.GetValue<string>());
        Assert.Contains("I ring the bell", asked["messages"]!.ToJsonString(), StringComparison.Ordinal);
        await BackgroundJobs.SettleAsync(client, setup.AdventureId, "turn.evaluate");
        Assert.NotNull(
            BackgroundJobs.UsageFor(await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(), "evaluation")
        );
    }

    [Fact]
    public void answers_are_read_strictly()
    {
        Assert.Null(ContradictionJudge.Check("not json"));
        Assert.Null(ContradictionJudge.Check("{}"));
        Assert.Equal(1, ContradictionJudge.Check("""{"contradictions":[]}""")!.Score);
        var three = ContradictionJudge.Check(
            """
            ```json
            {"contradictions":[
              {"claim":"a","conflictsWith":"x","source":"state"},
              {"claim":"b","conflictsWith":"y","source":"lore"},
              {"claim":"c","conflictsWith":"z","source":"lore"},
              {"claim":"d","conflictsWith":"w","source":"lore"}]}
            ```
            """
        )!;
        Assert.Equal(0, three.Score);
        Assert.Contains("\u201ca\u201d contradicts the state (x)", three.Finding, StringComparison.Ordinal);
    }
}

public sealed class JudgeTests_Sqlite(JudgeSqliteFixture server)
    : JudgeTests(server),
        IClassFixture<JudgeSqliteFixture>;

public sealed class JudgeTests_Postgres(JudgePostgresFixture server)
    : JudgeTests(server),
        IClassFixture<JudgePostgresFixture>;
