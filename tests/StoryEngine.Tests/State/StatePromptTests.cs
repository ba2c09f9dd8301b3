using StoryEngine.Core.State;

namespace StoryEngine.Tests.State;

/// <summary>
/// The world state in the carried block (docs/adr/0029): the whole state when the transcript shows none of it, then
/// only the lines that changed, and a "no longer tracked" line for what the transcript shows but the state dropped.
/// </summary>
public sealed class StatePromptTests
{
    private static readonly WorldState Harbour = new(
        "dusk",
        new Dictionary<string, CharacterState>
        {
            ["Maren"] = new("the lighthouse", Inventory: ["brass key"]),
            ["Wren"] = new("the pier"),
        },
        new Dictionary<string, QuestState> { ["Find the keeper"] = new("active", "The light went out.") }
    );

    [Fact]
    public void with_nothing_shown_the_whole_state_goes_under_the_plain_heading()
    {
        var (text, lines) = StatePrompt.Changes(Harbour, _ => null);

        Assert.Equal(
            """
            # World state (what is true now; keep the story consistent with it)
            Time of day: dusk
            - Maren: at the lighthouse; carries: brass key
            - Wren: at the pier
            Quests:
            - Find the keeper (active): The light went out.
            """.ReplaceLineEndings("\n"),
            text
        );
        Assert.Equal(StatePrompt.Render(Harbour), text);
        Assert.Equal(["time", "character:Maren", "character:Wren", "quest:Find the keeper"], lines.Keys);
    }

    [Fact]
    public void only_lines_that_differ_from_the_newest_shown_line_are_sent()
    {
        var (_, shownBefore) = StatePrompt.Changes(Harbour, _ => null);
        var moved = Harbour with
        {
            Characters = new Dictionary<string, CharacterState>
            {
                ["Maren"] = new("the cellar", Inventory: ["brass key"]),
                ["Wren"] = new("the pier"),
            },
        };

        var (text, lines) = StatePrompt.Changes(moved, key => shownBefore.GetValueOrDefault(key), shownBefore.Keys);

        Assert.Equal(
            "# World state changes (these lines replace what earlier turns said about the same thing)\n- "
                + "Maren: at the cellar; carries: brass key",
            text
        );
        Assert.Equal(["character:Maren"], lines.Keys);
        // Once that line is shown too, nothing is left to say.
        Assert.Equal(
            "",
            StatePrompt
                .Changes(
                    moved,
                    key => key == "character:Maren" ? lines[key] : shownBefore.GetValueOrDefault(key),
                    shownBefore.Keys
                )
                .Text
        );
    }

    [Fact]
    public void what_the_transcript_shows_but_the_state_dropped_is_said_to_be_gone_once()
    {
        var (_, shown) = StatePrompt.Changes(Harbour, _ => null);
        var corrected = new WorldState(
            "dusk",
            new Dictionary<string, CharacterState> { ["Maren"] = new("the lighthouse", Inventory: ["brass key"]) }
        );

        var (text, lines) = StatePrompt.Changes(corrected, key => shown.GetValueOrDefault(key), shown.Keys);

        Assert.Contains("- Wren: no longer tracked", text, StringComparison.Ordinal);
        Assert.Contains("- Find the keeper: no longer tracked", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Maren", text, StringComparison.Ordinal);
        var after = new Dictionary<string, string>(shown);
        foreach (var (key, line) in lines)
        {
            after[key] = line;
        }
        Assert.Equal("", StatePrompt.Changes(corrected, key => after.GetValueOrDefault(key), after.Keys).Text);
    }
}
