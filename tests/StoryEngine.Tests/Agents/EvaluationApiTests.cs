using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>Every completed narration is evaluated in the background and the scores summarised for admins (issue
/// 22).</summary>
public abstract class EvaluationApiTests(ServerFixture server)
{
    [Fact]
    public async Task a_completed_narration_gets_an_evaluation_event_and_counts_in_the_admin_summary()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var turn = await AdventureTestData.TakeTurnAsync(
            owner.Client,
            setup.AdventureId,
            "I ask about the bell {{tokens:3}}"
        );

        var evaluation = await Poll.UntilAsync(
            async () =>
                (await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events"))
                    .GetProperty("items")
                    .EnumerateArray()
                    .Where(e => e.Str("type") == nameof(TurnEvaluated))
                    .Select(e => (JsonElement?)e.GetProperty("payload"))
                    .FirstOrDefault(),
            found => found is not null,
            _ => "the narration was not evaluated"
        );
        Assert.Equal(turn.Id(), evaluation!.Value.Str("turnId"));
        Assert.Equal("heuristics-1", evaluation.Value.Str("evaluatorVersion"));
        Assert.Equal("scripted-1", evaluation.Value.Str("model"));
        var checks = evaluation.Value.GetProperty("checks").EnumerateArray().ToDictionary(c => c.Str("name"));
        Assert.True(checks["length"].GetProperty("score").GetDouble() < 1); // a scripted narration is short
        Assert.Equal(1, checks["refusal"].GetProperty("score").GetDouble());

        using var admin = await server.CreateAccountAsync(admin: true);
        var summary = await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/admin/evaluations?days=1");
        Assert.Equal(1, summary.GetProperty("days").GetInt32());
        var scripted = summary.GetProperty("models").EnumerateArray().Single(m => m.Str("model") == "scripted-1");
        Assert.True(scripted.GetProperty("narrations").GetInt32() >= 1);
        Assert.True(scripted.GetProperty("checks").TryGetProperty("length", out _));

        await (await admin.Client.GetAsync("/api/v1/admin/evaluations?days=400")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class EvaluationApiTests_Sqlite(SqliteServerFixture server) : EvaluationApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class EvaluationApiTests_Postgres(PostgresServerFixture server) : EvaluationApiTests(server);
