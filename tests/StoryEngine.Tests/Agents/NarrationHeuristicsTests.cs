using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.Agents;

/// <summary>The evaluation heuristics on crafted narrations (issue 22).</summary>
public sealed class NarrationHeuristicsTests
{
    private const string Good =
        "The fog thickens over the harbour as Maren drags the last crate inside. Somewhere past the breakwater a bell "
        + "tolls twice, and the lamps along the quay gutter in a wind that smells of salt and tar. She looks at the "
        + "door, then at you, and waits.";

    private static EvaluationCheck Check(IReadOnlyList<EvaluationCheck> checks, string name) =>
        checks.Single(c => c.Name == name);

    [Fact]
    public void a_good_narration_passes_every_check()
    {
        var checks = NarrationHeuristics.Evaluate(Good, ["A gull cries over the empty pier."], "Wren");
        Assert.All(checks, c => Assert.Equal(1, c.Score));
        Assert.Equal(1, NarrationHeuristics.Score(checks));
        Assert.Equal(["length", "repetition", "player_agency", "refusal", "macros"], checks.Select(c => c.Name));
    }

    [Fact]
    public void a_short_narration_scores_low_on_length()
    {
        var length = Check(NarrationHeuristics.Evaluate("The door opens.", [], null), "length");
        Assert.True(length.Score < 0.3, length.ToString());
        Assert.Contains("too short", length.Finding, StringComparison.Ordinal);
        Assert.Equal(0, Check(NarrationHeuristics.Evaluate("", [], null), "length").Score);
    }

    [Fact]
    public void repeating_the_recent_turns_is_caught()
    {
        var repetition = Check(NarrationHeuristics.Evaluate(Good, [Good], null), "repetition");
        Assert.Equal(0, repetition.Score);
        Assert.Contains("repeats", repetition.Finding, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("You say that you will help her, and she smiles.")]
    [InlineData("Wren replied that the map was wrong, and walked out.")]
    public void speaking_for_the_player_is_caught(string narration)
    {
        var agency = Check(NarrationHeuristics.Evaluate(narration, [], "Wren"), "player_agency");
        Assert.Equal(0, agency.Score);
        Assert.StartsWith("speaks or decides for the player", agency.Finding, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I'm sorry, but I can't continue this story.")]
    [InlineData("As an AI language model, I cannot write that.")]
    public void assistant_refusals_are_caught(string narration) =>
        Assert.Equal(0, Check(NarrationHeuristics.Evaluate(narration, [], null), "refusal").Score);

    [Fact]
    public void unreplaced_macros_are_named()
    {
        var macros = Check(
            NarrationHeuristics.Evaluate("{{char}} waves at {{user}}. <USER> nods.", [], null),
            "macros"
        );
        Assert.Equal(0, macros.Score);
        Assert.Equal("unreplaced: {{char}}, {{user}}, <USER>", macros.Finding);
    }
}
