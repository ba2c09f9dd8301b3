using StoryEngine.Core.Scenarios;

namespace StoryEngine.Tests.Scenarios;

/// <summary>Issue 24's validation: one crafted graph per kind of finding, and graphs that must pass clean.</summary>
public sealed class ScenarioValidatorTests
{
    internal static ScenarioNode Node(string id, bool ending = false, params ScenarioEffect[] effects) =>
        new()
        {
            Id = id,
            Title = id.ToUpperInvariant(),
            Ending = ending,
            Effects = effects,
        };

    internal static ScenarioEdge Edge(string from, string to, string? condition = null) =>
        new()
        {
            Id = $"{from}>{to}",
            From = from,
            To = to,
            Label = $"to {to}",
            Condition = condition,
        };

    internal static Scenario Graph(string? start, ScenarioNode[] nodes, params ScenarioEdge[] edges) =>
        new()
        {
            Name = "crafted",
            StartNodeId = start,
            Nodes = nodes,
            Edges = edges,
        };

    private static ScenarioFinding Single(Scenario scenario, string kind)
    {
        var findings = ScenarioValidator.Validate(scenario);
        return Assert.Single(findings, f => f.Kind == kind);
    }

    [Fact]
    public void a_sound_graph_has_no_findings()
    {
        var scenario = Graph(
            "a",
            [Node("a"), Node("b", effects: new ScenarioEffect("key")), Node("c", ending: true)],
            Edge("a", "b"),
            Edge("b", "a"),
            Edge("a", "c", "key and roll 1d6 >= 2")
        );
        Assert.Empty(ScenarioValidator.Validate(scenario));
    }

    [Fact]
    public void a_missing_start_is_an_error()
    {
        var finding = Single(Graph("nowhere", [Node("a", ending: true)]), ScenarioValidator.Kinds.MissingStart);
        Assert.Equal(ScenarioFinding.Error, finding.Severity);
        Assert.Contains("nowhere", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_choice_to_a_missing_scene_names_the_choice()
    {
        var finding = Single(
            Graph("a", [Node("a"), Node("end", ending: true)], Edge("a", "end"), Edge("a", "ghost")),
            ScenarioValidator.Kinds.MissingTarget
        );
        Assert.Equal(ScenarioFinding.Error, finding.Severity);
        Assert.Equal(["a>ghost"], finding.Edges);
        Assert.Equal(["a"], finding.Nodes);
    }

    [Fact]
    public void scenes_the_start_cannot_reach_are_a_warning()
    {
        var finding = Single(
            Graph(
                "a",
                [Node("a"), Node("end", ending: true), Node("island"), Node("shore", ending: true)],
                Edge("a", "end"),
                Edge("island", "shore")
            ),
            ScenarioValidator.Kinds.Unreachable
        );
        Assert.Equal(ScenarioFinding.Warning, finding.Severity);
        Assert.Equal(["island", "shore"], finding.Nodes);
    }

    [Fact]
    public void a_scene_without_choices_that_is_no_ending_is_a_dead_end()
    {
        var finding = Single(
            Graph("a", [Node("a"), Node("stuck"), Node("end", ending: true)], Edge("a", "stuck"), Edge("a", "end")),
            ScenarioValidator.Kinds.DeadEnd
        );
        Assert.Equal(["stuck"], finding.Nodes);
        Assert.Equal(ScenarioFinding.Warning, finding.Severity);
    }

    [Fact]
    public void a_loop_with_no_way_out_is_an_error_found_by_its_strongly_connected_component()
    {
        // a → {b, c, d} cycle with no exit; a also reaches the ending, so only the trap is reported.
        var finding = Single(
            Graph(
                "a",
                [Node("a"), Node("b"), Node("c"), Node("d"), Node("end", ending: true)],
                Edge("a", "b"),
                Edge("b", "c"),
                Edge("c", "d"),
                Edge("d", "b"),
                Edge("a", "end")
            ),
            ScenarioValidator.Kinds.TrapCycle
        );
        Assert.Equal(ScenarioFinding.Error, finding.Severity);
        Assert.Equal(["b", "c", "d"], finding.Nodes.Order());
        Assert.Equal(3, finding.Edges.Count);
    }

    [Fact]
    public void a_loop_with_a_way_out_or_an_ending_inside_is_fine()
    {
        var exits = Graph(
            "a",
            [Node("a"), Node("b"), Node("end", ending: true)],
            Edge("a", "b"),
            Edge("b", "a"),
            Edge("b", "end")
        );
        Assert.DoesNotContain(ScenarioValidator.Validate(exits), f => f.Kind == ScenarioValidator.Kinds.TrapCycle);
        var selfLoop = Graph("a", [Node("a")], Edge("a", "a"));
        Assert.Contains(ScenarioValidator.Validate(selfLoop), f => f.Kind == ScenarioValidator.Kinds.TrapCycle);
    }

    [Fact]
    public void a_condition_naming_a_flag_nothing_sets_is_an_error_but_world_state_names_are_not_checked()
    {
        var finding = Single(
            Graph(
                "a",
                [Node("a"), Node("end", ending: true)],
                Edge("a", "end", "gold >= 3 and state.timeOfDay == night")
            ),
            ScenarioValidator.Kinds.UnknownFlag
        );
        Assert.Contains("gold", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("timeOfDay", finding.Message, StringComparison.Ordinal);
        var declared = Graph("a", [Node("a"), Node("end", ending: true)], Edge("a", "end", "gold >= 3")) with
        {
            Flags = new Dictionary<string, string> { ["gold"] = "5" },
        };
        Assert.Empty(ScenarioValidator.Validate(declared));
    }

    [Fact]
    public void no_reachable_ending_is_an_error()
    {
        var finding = Single(
            Graph("a", [Node("a"), Node("b"), Node("far", ending: true)], Edge("a", "b"), Edge("b", "a")),
            ScenarioValidator.Kinds.NoEnding
        );
        Assert.Equal(ScenarioFinding.Error, finding.Severity);
    }

    [Fact]
    public void tarjan_handles_a_chain_of_ten_thousand_scenes_without_recursion()
    {
        var nodes = Enumerable.Range(0, 10_000).Select(i => Node($"n{i}", ending: i == 9_999)).ToArray();
        var edges = Enumerable.Range(0, 9_999).Select(i => Edge($"n{i}", $"n{i + 1}")).ToArray();
        var scenario = Graph("n0", nodes, edges);
        Assert.Equal(10_000, ScenarioValidator.Tarjan(ScenarioGraph.Of(scenario)).Count);
        Assert.Empty(ScenarioValidator.Validate(scenario));
    }

    [Fact]
    public void conditions_hold_over_flags_and_seeded_rolls()
    {
        var flags = new Dictionary<string, string>
        {
            ["gold"] = "5",
            ["mood"] = "angry",
            ["key"] = "true",
        };
        Assert.True(ScenarioConditions.Holds("gold >= 3 and key", flags, _ => 1));
        Assert.False(ScenarioConditions.Holds("gold > 5", flags, _ => 1));
        Assert.True(ScenarioConditions.Holds("gold > 5 or mood == angry", flags, _ => 1));
        Assert.True(ScenarioConditions.Holds("not sword", flags, _ => 1));
        Assert.True(ScenarioConditions.Holds("roll 2d6 >= 12", flags, sides => sides));
        Assert.False(ScenarioConditions.Holds("roll 2d6 >= 12", flags, _ => 1));
        Assert.NotNull(ScenarioConditions.Parse("gold >=").Error);
    }

    [Fact]
    public void the_layout_puts_every_scene_below_the_scenes_that_lead_to_it_except_on_loops()
    {
        var scenario = Graph(
            "a",
            [Node("a"), Node("b"), Node("c"), Node("d", ending: true)],
            Edge("a", "b"),
            Edge("a", "c"),
            Edge("b", "d"),
            Edge("c", "d"),
            Edge("d", "a")
        );
        var layout = ScenarioLayout.Of(scenario);
        Assert.Equal(0, layout.Boxes["a"].Layer);
        Assert.Equal(1, layout.Boxes["b"].Layer);
        Assert.Equal(1, layout.Boxes["c"].Layer);
        Assert.Equal(2, layout.Boxes["d"].Layer);
        Assert.NotEqual(layout.Boxes["b"].X, layout.Boxes["c"].X);
        Assert.All(layout.Boxes.Values, b => Assert.InRange(b.X, 0, layout.Width - ScenarioLayout.NodeWidth));
    }

    [Fact]
    public void a_diff_names_scenes_and_choices_added_removed_and_changed()
    {
        var before = Graph("a", [Node("a"), Node("b", ending: true)], Edge("a", "b"));
        var after = Graph("a", [Node("a") with { Text = "new" }, Node("c", ending: true)], Edge("a", "c"));
        var diff = ScenarioDiff.Between(1, before, 2, after);
        Assert.Equal(["c"], diff.NodesAdded);
        Assert.Equal(["b"], diff.NodesRemoved);
        Assert.Equal(["a"], diff.NodesChanged);
        Assert.Equal(["a>c"], diff.EdgesAdded);
        Assert.Equal(["a>b"], diff.EdgesRemoved);
        Assert.Empty(diff.FieldsChanged);
    }
}
