using StoryEngine.Core.Narration;

namespace StoryEngine.Tests.Narration;

/// <summary>
/// SillyTavern's macros as its own evaluateMacros (public/scripts/macros.js) replaces them: the cases below were
/// compared with that code's rules (case-insensitive names, unknown macros kept, ':' or '::' lists, seeded picks).
/// </summary>
public sealed class MacrosTests
{
    // A Monday afternoon, so every time macro has something to say.
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 7, 0, TimeSpan.Zero);

    private static readonly MacroContext Context = MacroContext.For("Maren", "Wren", Now, "adventure-1:turn-1");

    private static string Apply(string text) => Macros.Apply(text, Context);

    [Theory]
    [InlineData("{{char}} greets {{user}}.", "Maren greets Wren.")]
    [InlineData("{{CHAR}} and {{User}}", "Maren and Wren")]
    [InlineData("<USER> meets <BOT> and <char>", "Wren meets Maren and Maren")]
    [InlineData("a{{newline}}b", "a\nb")]
    [InlineData("one\n\n{{trim}}\n\ntwo", "onetwo")]
    [InlineData("before{{// a note for the card's readers\nover two lines}}after", "beforeafter")]
    [InlineData("{{noop}}x", "x")]
    [InlineData("{{time}} on {{weekday}}, {{date}}", "3:07 PM on Monday, December 7, 2026")]
    [InlineData("{{isodate}} {{isotime}}", "2026-12-07 15:07")]
    [InlineData("{{random:only}}", "only")]
    [InlineData("{{random::a, b::a, b}}", "a, b")]
    [InlineData("{{random: x\\, y }}", "x, y")]
    [InlineData("{{roll:1d1}} {{roll:3d1+2}} {{roll 1}}", "1 5 1")]
    [InlineData("{{roll:banana}}|", "|")]
    [InlineData("{{idle_duration}}", "just now")]
    public void replaces_what_sillytavern_replaces(string text, string expected) => Assert.Equal(expected, Apply(text));

    [Theory]
    [InlineData("{{unknown}} {{getvar::x}} {{random}}")]
    [InlineData("{{char")]
    [InlineData("no macros at all")]
    [InlineData("<USERNAME> <b>bold</b>")]
    public void leaves_unknown_macros_and_plain_text_as_written(string text) => Assert.Equal(text, Apply(text));

    [Fact]
    public void an_unknown_macro_still_lets_the_known_one_inside_it_be_replaced() =>
        Assert.Equal("{{{{x}} Maren", Apply("{{{{x}} {{char}}"));

    [Fact]
    public void original_stands_for_what_the_card_replaces() =>
        Assert.Equal(
            "Ours. Then the card's.",
            Macros.Apply("{{original}} Then the card's.", Context with { Original = "Ours." })
        );

    [Fact]
    public void a_pick_is_the_same_for_one_turn_and_may_differ_between_turns()
    {
        const string text = "{{pick:a,b,c,d,e,f,g,h}} {{pick::1::2::3::4::5::6::7::8}}";
        var first = Apply(text);
        Assert.Equal(first, Apply(text));
        Assert.Matches("^[a-h] [1-8]$", first);
        var picks = Enumerable
            .Range(0, 40)
            .Select(i => Macros.Apply(text, Context with { Seed = $"adventure-1:turn-{i}" }))
            .Distinct()
            .Count();
        Assert.True(picks > 1, "every turn picked the same items");
    }

    [Fact]
    public void a_random_item_comes_from_the_list()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.Contains(Apply("{{random:red,green,blue}}"), new[] { "red", "green", "blue" });
            Assert.InRange(int.Parse(Apply("{{roll:2d6}}"), System.Globalization.CultureInfo.InvariantCulture), 2, 12);
        }
    }

    [Theory]
    [InlineData(30, "a few seconds")]
    [InlineData(60 * 5, "5 minutes")]
    [InlineData(3600 * 3, "3 hours")]
    [InlineData(86400 * 3, "3 days")]
    public void idle_duration_is_the_time_since_the_players_previous_move(int seconds, string expected) =>
        Assert.Equal(
            expected,
            Macros.Apply("{{idle_duration}}", Context with { LastAction = Now.AddSeconds(-seconds) })
        );

    [Fact]
    public void without_a_persona_or_character_the_names_are_sillytaverns_defaults() =>
        Assert.Equal("Narrator/User", Macros.Apply("{{char}}/{{user}}", MacroContext.For(null, " ", Now)));
}
