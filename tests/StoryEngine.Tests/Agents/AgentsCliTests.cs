using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary><c>storyengine eval</c> against in-test backends, and <c>storyengine tools</c> (issue 22), as
/// processes.</summary>
public sealed class AgentsCliTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-cli",
        Guid.NewGuid().ToString("N")
    );
    private Dictionary<string, string> _environment = [];

    public async Task InitializeAsync()
    {
        _environment = SignedInServer.Environment(await ScriptedBackend.InstanceAsync());
        // A second backend on the same scripted server, and a price for its model: two rows and a cost.
        _environment["Backends__second__Kind"] = "openai";
        _environment["Backends__second__BaseUrl"] = _environment["Backends__scripted__BaseUrl"];
        _environment["Backends__second__Model"] = "scripted-1";
        _environment["Prices__scripted-1__PromptPerMillion"] = "1000";
        _environment["Prices__scripted-1__CompletionPerMillion"] = "2000";
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task eval_runs_every_situation_on_every_backend_and_reports_scores_speed_and_cost()
    {
        var result = await CliProcess.RunAsync(["eval", "--json", "--data-dir", _dataDir], _environment);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("situations-1", report.GetProperty("suite").GetString());
        Assert.Equal("heuristics-1", report.GetProperty("evaluator").GetString());
        var backends = report.GetProperty("backends").EnumerateArray().ToArray();
        Assert.Equal(["scripted", "second"], backends.Select(b => b.GetProperty("backend").GetString()).Order());
        foreach (var backend in backends)
        {
            Assert.Equal(4, backend.GetProperty("situations").GetInt32());
            Assert.Equal(0, backend.GetProperty("failed").GetInt32());
            var results = backend.GetProperty("results").EnumerateArray().ToArray();
            Assert.All(results, r => Assert.Equal(5, r.GetProperty("checks").GetArrayLength()));
            Assert.Equal(
                Math.Round(results.Average(r => r.GetProperty("score").GetDouble()), 3),
                backend.GetProperty("score").GetDouble()
            );
            Assert.True(backend.GetProperty("meanFirstTokenMs").GetDouble() > 0);
            Assert.True(backend.GetProperty("tokensPerSecond").GetDouble() > 0);
            Assert.True(backend.GetProperty("costMicros").GetInt64() > 0);
            Assert.Equal(
                ["continue-scene", "forest-danger", "harbour-arrival", "tavern-question"],
                backend
                    .GetProperty("results")
                    .EnumerateArray()
                    .Select(r => r.GetProperty("situation").GetString())
                    .Order()
            );
        }
        Assert.Contains("[8/8]", result.Stderr, StringComparison.Ordinal);

        var table = await CliProcess.RunAsync(["eval", "--backend", "second", "--data-dir", _dataDir], _environment);
        Assert.Equal(0, table.ExitCode);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("suite situations-1, evaluator heuristics-1", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^backend\s+model\s+score\s+failed\s+ttft ms\s+tok/s\s+cost \$$", lines[1]);
        Assert.Matches(@"^second\s+scripted-1\s+[01]\.\d\d\s+0/4\s+\d+\s+[\d.]+\s+0\.\d{4}$", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task tools_lists_the_registry_and_calls_a_tool_as_an_account()
    {
        var list = await CliProcess.RunAsync(["tools", "list", "--json", "--data-dir", _dataDir], _environment);
        Assert.True(list.ExitCode == 0, list.Stderr);
        var tools = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToArray();
        var takeTurn = tools.Single(t => t.GetProperty("name").GetString() == "take_turn");
        Assert.Equal("play", takeTurn.GetProperty("scope").GetString());
        Assert.Equal(
            "Narrator",
            tools
                .Single(t => t.GetProperty("name").GetString() == "propose_state_update")
                .GetProperty("audience")
                .GetString()
        );

        var unknown = await CliProcess.RunAsync(
            ["tools", "call", "list_worlds", "--user", "nobody", "--data-dir", _dataDir],
            _environment
        );
        Assert.Equal(1, unknown.ExitCode);
    }
}
