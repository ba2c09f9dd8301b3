using StoryEngine.Core.Errors;
using StoryEngine.Core.Tabletop.Dice;

namespace StoryEngine.Tests.Tabletop;

/// <summary>Issue 23's dice notation: each form, the limits, bad input, and the fairness of the server's
/// dice.</summary>
public sealed class DiceTests
{
    private static DiceRoll Roll(string expression, params int[] faces) =>
        new DiceRoller(new ScriptedDice(faces)).Roll(expression);

    [Theory]
    [InlineData("1d20", new[] { 14 }, 14)]
    [InlineData("d20", new[] { 7 }, 7)]
    [InlineData("2d6+3", new[] { 2, 5 }, 10)]
    [InlineData("1d20-2", new[] { 1 }, -1)]
    [InlineData("1d20 + 1d4 + 3", new[] { 11, 2 }, 16)]
    [InlineData("-1d4+10", new[] { 3 }, 7)]
    [InlineData("7", new int[0], 7)]
    [InlineData("4d6dl1", new[] { 6, 1, 4, 3 }, 13)]
    [InlineData("4d6kh3", new[] { 6, 1, 4, 3 }, 13)]
    [InlineData("4d6k3", new[] { 6, 1, 4, 3 }, 13)]
    [InlineData("2d20kl1", new[] { 18, 5 }, 5)]
    [InlineData("3d6dh1", new[] { 6, 2, 5 }, 7)]
    [InlineData("1d20adv", new[] { 3, 17 }, 17)]
    [InlineData("1d20dis+4", new[] { 3, 17 }, 7)]
    [InlineData("d%", new[] { 73 }, 73)]
    [InlineData("1D%", new[] { 100 }, 100)]
    [InlineData("3d6!", new[] { 6, 6, 2, 1, 4 }, 19)]
    [InlineData("2d6r<2", new[] { 1, 1, 4, 5 }, 9)]
    [InlineData("2d6ro<2", new[] { 1, 1, 5 }, 6)]
    [InlineData("2d6r1", new[] { 1, 3, 6 }, 9)]
    [InlineData("6d10>=8", new[] { 8, 10, 3, 7, 9, 1 }, 3)]
    [InlineData("5d6=6", new[] { 6, 6, 1, 2, 6 }, 3)]
    [InlineData("4d6<3", new[] { 1, 2, 3, 6 }, 2)]
    [InlineData("4d10!>=8", new[] { 10, 2, 8, 7, 1 }, 2)]
    public void each_form_of_the_notation_totals_as_the_faces_say(string expression, int[] faces, int total)
    {
        Assert.Equal(total, Roll(expression, faces).Total);
    }

    [Fact]
    public void fate_dice_read_minus_blank_plus()
    {
        // The source's 1..3 is −1, 0, +1.
        var roll = Roll("4dF+1", 1, 2, 3, 3);
        Assert.Equal(2, roll.Total);
        Assert.Equal("4df+1 = [-, 0, +, +] + 1 = 2", roll.Text);
    }

    [Fact]
    public void every_die_is_recorded_with_what_was_kept_dropped_exploded_and_rerolled()
    {
        var dice = new ScriptedDice(6, 1, 4, 3);
        var roll = new DiceRoller(dice).Roll("4d6dl1");
        Assert.Equal([6, 6, 6, 6], dice.Sides);
        Assert.Equal([true, false, true, true], roll.Terms[0].Dice.Select(d => d.Kept));
        Assert.Equal("4d6dl1 = [6, (1), 4, 3] = 13", roll.Text);

        var exploding = Roll("2d6!", 6, 3, 2);
        Assert.Equal([true, false, false], exploding.Terms[0].Dice.Select(d => d.Exploded));
        Assert.Equal("2d6! = [6!, 3, 2] = 11", exploding.Text);

        var rerolled = Roll("1d20r<3", 2, 1, 15);
        Assert.Equal([true, true, false], rerolled.Terms[0].Dice.Select(d => d.Rerolled));
        Assert.Equal(15, rerolled.Total);
        Assert.Equal(15, rerolled.Natural);
    }

    [Fact]
    public void advantage_keeps_the_higher_die_and_ties_keep_the_first()
    {
        var roll = Roll("d20adv", 12, 12);
        Assert.Equal([true, false], roll.Terms[0].Dice.Select(d => d.Kept));
        Assert.Equal(12, roll.Natural);
        var term = DiceParser.Parse("1d20adv")[0];
        Assert.Equal((2, new DiceKeep(KeepKind.KeepHighest, 1)), (term.Count, term.Keep));
    }

    [Theory]
    [InlineData("", "expression is required")]
    [InlineData("d", "Expected the number of sides after d at position 2")]
    [InlineData("2d", "Expected the number of sides after d")]
    [InlineData("1d20+", "Expected a number or dice")]
    [InlineData("1d20*2", "Unknown modifier '*' at position 5")]
    [InlineData("3x", "Expected + or - between terms")]
    [InlineData("1d0", "A die needs at least one side")]
    [InlineData("0d6", "A term needs at least one die")]
    [InlineData("2d6kh3", "Cannot keep or drop 3 of 2 dice")]
    [InlineData("2d6kh1kl1", "Only one keep or drop per term")]
    [InlineData("2d20adv", "Adv and dis apply to a single die")]
    [InlineData("1d1!", "Only dice with two or more numbered sides explode")]
    [InlineData("1dF!", "Only dice with two or more numbered sides explode")]
    [InlineData("1d6r<=6", "Would reroll every face")]
    [InlineData("1d6x", "Unknown modifier 'x'")]
    [InlineData("abc", "Expected a number or dice")]
    [InlineData("1d6>", "Expected a number after the comparison")]
    public void bad_notation_is_refused_saying_what_and_where(string expression, string message)
    {
        var e = Assert.Throws<ValidationFailedException>(() => DiceParser.Parse(expression));
        Assert.Contains(message, e.Errors["expression"][0], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("101d6", "maxDicePerTerm", "at most 100 dice")]
    [InlineData("1d1001", "maxSides", "at most 1000 sides")]
    [InlineData("1d99999999999", "maxSides", "at most 1000 sides")]
    [InlineData("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", "maxTerms", "at most 20 terms")]
    [InlineData("100d6+100d6+100d6+100d6+100d6+100d6+100d6+100d6+100d6+100d6+1d6", "maxDiceRolled", "1000 dice")]
    [InlineData("2000000", "maxConstant", "at most 1000000")]
    public void sizes_past_the_limits_are_refused_naming_the_limit(string expression, string limit, string message)
    {
        var e = Assert.Throws<DiceLimitException>(() => DiceParser.Parse(expression));
        Assert.Equal(limit, e.Limit);
        Assert.Equal("dice_limit", e.Code);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_expression_too_long_is_refused_naming_the_limit()
    {
        var e = Assert.Throws<DiceLimitException>(() => DiceParser.Parse(new string('1', 201)));
        Assert.Equal("maxExpressionLength", e.Limit);
    }

    [Fact]
    public void explosions_that_pass_the_dice_limit_stop_with_the_limit()
    {
        var e = Assert.Throws<DiceLimitException>(() => Roll("1d2!", [.. Enumerable.Repeat(2, 1001)]));
        Assert.Equal("maxDiceRolled", e.Limit);
    }

    /// <summary>100,000 rolls of 1d20 from the server's CSPRNG fit a uniform distribution: Pearson's chi-square with
    /// 19 degrees of freedom stays under 36.191, its critical value at the 1% level.</summary>
    [Fact]
    public void a_hundred_thousand_d20_rolls_pass_a_chi_square_test_at_one_percent()
    {
        const int rolls = 100_000;
        var counts = new int[21];
        var terms = DiceParser.Parse("1d20");
        for (var i = 0; i < rolls; i++)
        {
            counts[DiceRoller.Crypto.Roll(terms).Total]++;
        }
        Assert.Equal(0, counts[0]);
        const double expected = rolls / 20.0;
        var chiSquare = counts.Skip(1).Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(
            chiSquare < 36.191,
            $"chi-square {chiSquare:F2} over 19 degrees of freedom; counts {string.Join(",", counts.Skip(1))}"
        );
    }
}
