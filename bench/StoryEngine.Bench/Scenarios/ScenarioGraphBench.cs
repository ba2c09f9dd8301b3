using System.Diagnostics;
using System.Globalization;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Bench.Scenarios;

/// <summary>
/// Issue 24: validation plus layered layout of one scenario graph (2,000 scenes by default, about three choices each,
/// loops, a few endings, conditions over flags), timed per run; target ≤ 50 ms at p99. bench/scenarios.sh runs it.
/// </summary>
public static class ScenarioGraphBench
{
    public static Task<int> RunAsync(string[] args, TextWriter output)
    {
        var nodes = Option(args, "--nodes", 2_000);
        var samples = Option(args, "--samples", 200);
        var scenario = Build(nodes, seed: 24);
        for (var i = 0; i < 20; i++)
        {
            Once(scenario); // warm-up: JIT and tiered compilation
        }
        var times = new double[samples];
        var findings = 0;
        for (var i = 0; i < samples; i++)
        {
            var watch = Stopwatch.StartNew();
            findings = Once(scenario);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double At(double p) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
        output.WriteLine(
            "| scenes | choices | findings | samples | p50 ms | p95 ms | p99 ms | max ms |\n"
                + "|---|---|---|---|---|---|---|---|"
        );
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"| {nodes:N0} | {scenario.Edges.Count:N0} | {findings} | {samples} | {At(0.50):0.00} "
                    + $"| {At(0.95):0.00} | {At(0.99):0.00} | {times[^1]:0.00} |"
            )
        );
        return Task.FromResult(0);
    }

    private static int Once(Scenario scenario)
    {
        var findings = ScenarioValidator.Validate(scenario);
        var layout = ScenarioLayout.Of(scenario);
        return findings.Count + (layout.Boxes.Count == 0 ? 1 : 0);
    }

    /// <summary>A story-shaped graph: scenes in order, each with a choice onward and two more to random scenes
    /// (some back, making loops), every 50th an ending, some choices needing a flag an earlier scene sets.</summary>
    public static Scenario Build(int count, int seed)
    {
        var random = new Random(seed);
        var nodes = new List<ScenarioNode>(count);
        var edges = new List<ScenarioEdge>(count * 3);
        for (var i = 0; i < count; i++)
        {
            nodes.Add(
                new ScenarioNode
                {
                    Id = $"s{i}",
                    Title = $"Scene {i}",
                    Text = "Fog on the moor.",
                    Ending = i % 50 == 49 || i == count - 1,
                    Effects = i % 10 == 0 ? [new ScenarioEffect($"f{i / 10}")] : [],
                }
            );
        }
        for (var i = 0; i < count - 1; i++)
        {
            if (nodes[i].Ending)
            {
                continue;
            }
            edges.Add(
                new ScenarioEdge
                {
                    Id = $"e{i}a",
                    From = $"s{i}",
                    To = $"s{i + 1}",
                    Label = "On",
                }
            );
            for (var k = 0; k < 2; k++)
            {
                var to = random.Next(count);
                edges.Add(
                    new ScenarioEdge
                    {
                        Id = $"e{i}{(char)('b' + k)}",
                        From = $"s{i}",
                        To = $"s{to}",
                        Label = "Elsewhere",
                        Condition = k == 1 && i >= 10 ? $"f{random.Next(i / 10)} and roll 1d20 >= 5" : null,
                    }
                );
            }
        }
        return new Scenario
        {
            Name = "Bench moor",
            StartNodeId = "s0",
            Nodes = nodes,
            Edges = edges,
        };
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var v)
            ? v
            : fallback;
    }
}
