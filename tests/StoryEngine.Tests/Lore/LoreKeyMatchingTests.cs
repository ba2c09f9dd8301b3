using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Lore;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Lore.LoreTestBooks;

namespace StoryEngine.Tests.Lore;

/// <summary>How keys match (issue 5, "Lorebooks"): pure activation, no server. The fixture books are real SillyTavern
/// files.</summary>
public sealed class LoreKeyMatchingTests
{
    // Eldoria's entries mention each other's keys; recursion is off here so each test sees keys in the story only.
    private static readonly Lorebook Eldoria = LorebookFile.Read(
        SharedFixtures.Read("lorebooks/st_Eldoria.json"),
        "Eldoria"
    ) with
    {
        RecursiveScanning = false,
    };
    private static readonly Lorebook Sakana = CardFile
        .Read(SharedFixtures.Read("cards/stcontent_Assistant_Sakana.png"))
        .Lorebook!;

    [Fact]
    public void a_primary_key_in_the_action_fires_and_the_report_says_which_key_and_turn()
    {
        var result = Activate([Book(Eldoria)], "I wander deeper into the forest.", turnNumber: 7);

        var fired = Assert.Single(result.Report.Fired);
        Assert.Equal(0, fired.EntryId);
        Assert.Equal("key", fired.Reason);
        Assert.Equal("forest", fired.Key);
        Assert.Equal(7, fired.TurnNumber);
        Assert.Contains("action of turn 7", fired.Where, StringComparison.Ordinal);
        Assert.Equal("triggered lore", fired.Placement);
        Assert.Contains("Eldoria", Assert.Single(result.Triggered).Text, StringComparison.Ordinal);
        Assert.Empty(result.Constant);
    }

    [Fact]
    public void the_most_recent_mention_is_reported_and_keys_beyond_the_scan_depth_are_not_seen()
    {
        var earlier = new[] { ("I rest.", "The glade is quiet."), ("I look around.", "Shadowfang tracks everywhere.") };
        // Book default depth 2: the action and the narration before it. Shadowfang is in the narration two turns
        // back: message 4 (action, narration 9, player 9, narration 8).
        var shallow = Activate([Book(Eldoria)], "Hm.", earlier, turnNumber: 10);
        var glade = Assert.Single(shallow.Report.Fired);
        Assert.Equal((2, 9), (glade.EntryId, glade.TurnNumber));
        Assert.Contains("narration of turn 9", glade.Where, StringComparison.Ordinal);

        // An entry's own scan depth wins over the book's.
        var deep = Eldoria with
        {
            Entries = [.. Eldoria.Entries.Select(e => e.Id == 1 ? e with { ScanDepth = 4 } : e)],
        };
        Assert.Equal([1, 2], Activate([Book(deep)], "Hm.", earlier, turnNumber: 10).FiredIds().Order());

        // A book's scan depth applies to entries without their own; 0 scans nothing.
        Assert.Empty(Activate([Book(Eldoria with { ScanDepth = 0 })], "The forest.", earlier).Report.Fired);
    }

    [Fact]
    public void empty_and_blank_keys_never_match()
    {
        var book = Book(Entry(1, "Blank keys.", "", "   "), Entry(2, "Real key.", "", "lantern"));
        var result = Activate([book], "I light the lantern and look around.");
        Assert.Equal([2], result.FiredIds());
        Assert.Empty(Activate([Book(Entry(3, "Only blank.", "", " "))], "   ").Report.Fired);
    }

    [Fact]
    public void disabled_entries_never_fire_even_when_constant()
    {
        var book = Book(
            Entry(1, "Off.", "lantern") with
            {
                Enabled = false,
            },
            Entry(2, "Off and constant.") with
            {
                Constant = true,
                Enabled = false,
            }
        );
        Assert.Empty(Activate([book], "The lantern.").Report.Fired);
    }

    [Theory]
    [InlineData(SelectiveLogic.AndAny, "I hold your left hand.", true)]
    [InlineData(SelectiveLogic.AndAny, "I hold the rope.", false)]
    [InlineData(SelectiveLogic.AndAll, "I hold your hand, your left hand and your right hand.", true)]
    [InlineData(SelectiveLogic.AndAll, "I hold your left hand.", false)]
    [InlineData(SelectiveLogic.NotAny, "I hold the rope.", true)]
    [InlineData(SelectiveLogic.NotAny, "I hold your right hand.", false)]
    [InlineData(SelectiveLogic.NotAll, "I hold your left hand.", true)]
    [InlineData(SelectiveLogic.NotAll, "I hold your hand, your left hand and your right hand.", false)]
    public void secondary_keys_follow_the_entrys_logic(SelectiveLogic logic, string action, bool fires)
    {
        // Sakana's entry 12: keys hold, clasp, …; secondary "your hand", "your left hand", "your right hand".
        var entry = Sakana.Entries.Single(e => e.Id == 12) with { SelectiveLogic = logic };
        Assert.True(entry.Selective);
        var result = Activate([Book(Sakana with { Entries = [entry] })], action);
        Assert.Equal(fires, result.Report.Fired.Count == 1);
    }

    [Fact]
    public void secondary_keys_count_only_for_selective_entries()
    {
        var entry = Entry(1, "Rope lore.", "rope") with { SecondaryKeys = ["knot"], Selective = false };
        Assert.Single(Activate([Book(entry)], "A rope.").Report.Fired);
        Assert.Empty(Activate([Book(entry with { Selective = true })], "A rope.").Report.Fired);
        // Selective with only empty secondary keys behaves as not selective.
        Assert.Single(
            Activate([Book(entry with { Selective = true, SecondaryKeys = ["", " "] })], "A rope.").Report.Fired
        );
    }

    [Fact]
    public void regex_keys_match_with_their_own_flags_and_ignore_the_entrys_case_setting()
    {
        var book = Book(
            Entry(1, "Dragons.", "/dra(g|k)on(s)?\\b/i") with
            {
                CaseSensitive = true,
            },
            Entry(2, "Exact.", "/^Wake$/m"),
            Entry(3, "Case.", "/Tower/")
        );
        var result = Activate([book], "Two DRAKONS circle.\nWake\nthe tower");
        Assert.Equal([1, 2], result.FiredIds());
        Assert.Equal("/dra(g|k)on(s)?\\b/i", result.Report.Fired[0].Key);
    }

    [Fact]
    public void a_regex_that_runs_too_long_counts_as_no_match_and_is_reported()
    {
        var book = Book(Entry(1, "Catastrophic.", "/(a+)+$/"), Entry(2, "Fine.", "harbour"));
        var result = Activate([book], new string('a', 40) + "! at the harbour");
        Assert.Equal([2], result.FiredIds());
        Assert.Contains(result.Report.Warnings, w =>
            w.Contains("/(a+)+$/", StringComparison.Ordinal) && w.Contains("ms", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void case_sensitivity_is_off_unless_the_entry_asks()
    {
        var loose = Entry(1, "Rose.", "Rose");
        Assert.Single(Activate([Book(loose)], "a rose by the door").Report.Fired);
        Assert.Empty(Activate([Book(loose with { CaseSensitive = true })], "a rose by the door").Report.Fired);
        Assert.Single(Activate([Book(loose with { CaseSensitive = true })], "Rose by the door").Report.Fired);
    }

    [Fact]
    public void whole_words_match_single_words_on_boundaries_and_multi_word_keys_as_text_like_sillytavern()
    {
        var cat = Entry(1, "Cats.", "cat") with { MatchWholeWords = true };
        Assert.Empty(Activate([Book(cat)], "a category of things").Report.Fired);
        Assert.Single(Activate([Book(cat)], "the cat.").Report.Fired);
        Assert.Single(Activate([Book(cat)], "\"Cat!\"").Report.Fired);
        // A later whole-word mention still counts when an earlier one is inside a word.
        Assert.Single(Activate([Book(cat)], "category, then a cat").Report.Fired);
        // Without whole words a key matches inside words, as SillyTavern's default does.
        Assert.Single(Activate([Book(cat with { MatchWholeWords = null })], "a category").Report.Fired);
        // Letters of any script are word characters: "Tor" is not a word inside "Torvik" or "Torë".
        Assert.Empty(
            Activate([Book(Entry(2, "Tor.", "Tor") with { MatchWholeWords = true })], "Torvik and Torë").Report.Fired
        );

        // SillyTavern matches a key with spaces as plain text even with whole words on: "old man" is in "bold manner".
        var oldMan = Entry(3, "The old man.", "old man") with { MatchWholeWords = true };
        Assert.Single(Activate([Book(oldMan)], "a bold manner").Report.Fired);
    }

    [Fact]
    public void keys_never_match_across_two_messages()
    {
        var book = Book(Entry(1, "Safe haven.", "haven safe"));
        Assert.Empty(Activate([book], "haven", [("safe", "safe")]).Report.Fired);
    }

    [Fact]
    public void a_fixture_book_with_many_keys_fires_each_entry_once_with_its_first_key()
    {
        var toaru = LorebookFile.Read(SharedFixtures.Read("lorebooks/st_legacy_Toaru.json"), "Toaru");
        var result = Activate([Book(toaru)], "Saten-san walks through Academy City with an Anti-Skill guard.");
        var ids = result.FiredIds();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Contains(toaru.Entries.Single(e => e.Keys.Contains("Saten")).Id, ids);
        Assert.Contains(toaru.Entries.Single(e => e.Keys.Contains("Academy City")).Id, ids);
    }

    [Fact]
    public void keys_of_every_length_match_at_the_edges_of_the_text_and_in_any_script_as_a_plain_search_would()
    {
        // The scan files keys of four or more characters under their first four, keys of three under all three and
        // searches shorter ones one by one; the text is lowered with a fast path for ASCII. This checks each route
        // against string.Contains, with keys at the very start and end and text that leaves ASCII part-way.
        string[] keys =
        [
            "O",
            "Ox",
            "Oxa",
            "Oxen",
            "Oxenford",
            "ÄRGER",
            "Ärgernis",
            "日本",
            "日本語",
            "naïve",
            "Ωmega",
            "end.",
        ];
        string[] texts =
        [
            "Oxenford lies north.",
            "north lies oxenford",
            "an ox",
            "o",
            "Ärger im Ärgernis",
            "ärger",
            "日本語を話す",
            "The naïve Ωmega knight.",
            "NAÏVE ΩMEGA",
            "the end.",
            "xen",
            "oxe",
            "ärge",
            "",
        ];
        var book = Book([.. keys.Select((k, i) => Entry(i, $"Entry {i}.", k))]);
        foreach (var text in texts)
        {
            var expected = keys.Select((k, i) => (k, i))
                .Where(p => text.Contains(p.k, StringComparison.OrdinalIgnoreCase))
                .Select(p => p.i)
                .Order();
            Assert.Equal(expected, Activate([book], text).FiredIds().Order());
        }
        // Case-sensitive keys compare the original text, not the lowered one.
        var exact = Book([.. keys.Select((k, i) => Entry(i, $"Entry {i}.", k) with { CaseSensitive = true })]);
        foreach (var text in texts)
        {
            var expected = keys.Select((k, i) => (k, i))
                .Where(p => text.Contains(p.k, StringComparison.Ordinal))
                .Select(p => p.i)
                .Order();
            Assert.Equal(expected, Activate([exact], text).FiredIds().Order());
        }
    }
}
