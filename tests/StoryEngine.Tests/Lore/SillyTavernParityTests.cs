using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Narration;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;
using static StoryEngine.Tests.Lore.LoreTestBooks;

namespace StoryEngine.Tests.Lore;

/// <summary>
/// Cases compared with SillyTavern's own code (public/scripts/world-info.js; issue 17, "Lore like SillyTavern"): each
/// test names the function it was checked against. Files are read through our importers, so the mapping of every
/// format's spelling is part of what is compared.
/// </summary>
public sealed class SillyTavernParityTests
{
    // (player, narration) pairs, newest first: messages are action (1), narration 9 (2), player 9 (3), narration 8 (4),
    // player 8 (5).
    private static readonly (string, string)[] Earlier =
    [
        ("I rest by the well.", "The glade is quiet."),
        ("I walk to the gate.", "A raven lands on the wall."),
    ];

    [Theory]
    // WorldInfoBuffer.get: depthBuffer.slice(0, scanDepth), the chat newest first, one message per slot.
    [InlineData(1, "action", true, false, false, false, false)]
    [InlineData(2, "narration 9", true, true, false, false, false)]
    [InlineData(3, "player 9", true, true, true, false, false)]
    [InlineData(4, "narration 8", true, true, true, true, false)]
    [InlineData(5, "player 8", true, true, true, true, true)]
    public void scan_depth_counts_messages_not_turns(int depth, string deepest, params bool[] sees)
    {
        string[] keys = ["lantern", "glade", "well", "raven", "gate"];
        var book = Book(
            new Lorebook
            {
                Name = $"Depth {depth} ({deepest})",
                ScanDepth = depth,
                Entries = [.. keys.Select((k, i) => Entry(i, $"About the {k}.", k))],
            }
        );
        var fired = Activate([book], "I light the lantern.", Earlier, turnNumber: 10).FiredIds();
        Assert.Equal(sees, keys.Select((_, i) => fired.Contains(i)));
    }

    [Fact]
    public void the_default_scan_depth_is_two_messages_the_action_and_the_narration_before_it()
    {
        // world_info_depth = 2: the player's last message is not scanned by default, the narration is.
        var book = Book(Entry(1, "Glade.", "glade"), Entry(2, "Well.", "well"));
        Assert.Equal([1], Activate([book], "Hm.", Earlier, turnNumber: 10).FiredIds());
    }

    [Fact]
    public void the_opening_is_one_message()
    {
        // The greeting is chat[0] in SillyTavern: one message, no player message before it.
        var opening = new Core.Stories.TurnRecord(
            "adv",
            "t0",
            0,
            "opening",
            "",
            0,
            [new Core.Stories.NarrationRecord("A harbour at dawn.", "completed")],
            false,
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch
        );
        var input = new LoreInput("adv", 1, [Book(Entry(1, "x", "harbour"))], [opening], []);
        var request = input.ToRequest(new PlayerAction("do", "I wave."), 1000, t => t.Length);
        Assert.Equal([(1, "action"), (2, "narration")], request.Segments.Select(s => (s.Depth, s.Part)));
    }

    [Theory]
    // WorldInfoBuffer.matchKeys: `(?:^|\W)key(?:$|\W)` for one word; a key of several words is a plain includes().
    [InlineData("Tor", "Torvik waits.", false)]
    [InlineData("Tor", "He saw Tor, then left.", true)]
    [InlineData("old man", "a bold manner", true)]
    [InlineData("man", "a bold manner", false)]
    public void whole_words_match_as_sillytavern_matches_them_from_every_format_that_has_the_option(
        string key,
        string text,
        bool fires
    )
    {
        var k = JsonSerializer.Serialize(key);
        string[] files =
        [
            // SillyTavern World Info
            $$$$"""{"entries":{"0":{"uid":0,"key":[{{{{k}}}}],"content":"c","matchWholeWords":true}}}""",
                // V2/V3 card book, SillyTavern's extension spelling
                // (convertCharacterBook: extensions.match_whole_words)
                $$$$"""
                {"entries":[{"id":0,"keys":[{{{{k}}}}],"content":"c","enabled":true,"insertion_order":0,
                "extensions":{"match_whole_words":true}}]}
                """,
                // chub: whole_words_only at the entry's top level and in its extensions
                $$$$"""
                {"entries":[{"id":0,"keys":[{{{{k}}}}],"content":"c","enabled":true,"insertion_order":0,
                "whole_words_only":true}]}
                """,
            $$$$"""
                {"spec":"lorebook_v3","data":{"entries":[{"id":0,"keys":[{{{{k}}}}],"content":"c","enabled":true,
                "insertion_order":0,"use_regex":false,"extensions":{"whole_words_only":true}}]}}
                """,
        ];
        foreach (var file in files)
        {
            var book = LorebookFile.Read(Encoding.UTF8.GetBytes(file), "Words");
            Assert.True(book.Entries[0].MatchWholeWords, file);
            Assert.Equal(fires, Activate([Book(book)], text).Report.Fired.Count == 1);
        }
    }

    [Theory]
    // WorldInfoBuffer.#transformString: caseSensitive ?? world_info_case_sensitive (false).
    [InlineData("""{"entries":{"0":{"uid":0,"key":["Raven"],"content":"c"}}}""", true)]
    [InlineData("""{"entries":{"0":{"uid":0,"key":["Raven"],"content":"c","caseSensitive":true}}}""", false)]
    [InlineData("""{"entries":{"0":{"uid":0,"key":["Raven"],"content":"c","caseSensitive":null}}}""", true)]
    [InlineData(
        """
            {"entries":[{"id":0,"keys":["Raven"],"content":"c","enabled":true,"insertion_order":0,
            "case_sensitive":true}]}
            """,
        false
    )]
    [InlineData(
        """
            {"entries":[{"id":0,"keys":["Raven"],"content":"c","enabled":true,"insertion_order":0,
            "extensions":{"case_sensitive":true}}]}
            """,
        false
    )]
    public void case_sensitivity_is_off_unless_a_format_turns_it_on(string file, bool firesOnLowerCase)
    {
        var book = LorebookFile.Read(Encoding.UTF8.GetBytes(file), "Case");
        Assert.Equal(firesOnLowerCase, Activate([Book(book)], "a raven calls").Report.Fired.Count == 1);
        Assert.Single(Activate([Book(book)], "a Raven calls").Report.Fired);
    }

    [Theory]
    // world_info_logic { AND_ANY: 0, NOT_ALL: 1, NOT_ANY: 2, AND_ALL: 3 } and matchSecondaryKeys in checkWorldInfo.
    [InlineData("AND_ANY", "the storm and the ship", true)]
    [InlineData("AND_ANY", "the ship", false)]
    [InlineData("NOT_ALL", "the storm, the rain and the ship", false)]
    [InlineData("NOT_ALL", "the storm and the ship", true)]
    [InlineData("NOT_ANY", "the storm and the ship", false)]
    [InlineData("NOT_ANY", "the ship", true)]
    [InlineData("AND_ALL", "the storm and the ship", false)]
    [InlineData("and_all", "the storm, the rain and the ship", true)]
    public void chub_key_logic_maps_to_sillytaverns_selective_logic(string logic, string text, bool fires)
    {
        var file = $$"""
            {"entries":[{"id":0,"keys":["ship"],"secondary_keys":["storm","rain"],"selective":true,"content":"c",
              "enabled":true,"insertion_order":0,"key_logic":"{{logic}}"}]}
            """;
        var book = LorebookFile.Read(Encoding.UTF8.GetBytes(file), "Logic");
        Assert.Equal(fires, Activate([Book(book)], text).Report.Fired.Count == 1);
        // Exported with SillyTavern's number, it reads the same.
        var again = LorebookFile.Read(LorebookTransfer.Export(book, LorebookFormat.SillyTavern).Content, "x");
        Assert.Equal(book.Entries[0].SelectiveLogic, again.Entries[0].SelectiveLogic);
    }

    [Theory]
    // checkWorldInfo: budget = Math.round(world_info_budget * maxContext / 100) || 1, world_info_budget = 25.
    [InlineData(8192, 25, 2048)]
    [InlineData(3072, 25, 768)]
    [InlineData(1000, 10, 100)]
    [InlineData(2, 25, 1)]
    [InlineData(1, 25, 1)]
    public void the_lore_budget_is_a_share_of_the_prompt(int prompt, int percent, int budget) =>
        Assert.Equal(budget, LorePrompt.Budget(prompt, percent));

    [Fact]
    public void a_books_own_budget_can_only_lower_the_share_so_the_newest_turns_keep_their_room()
    {
        // Issue 17: a held-out card's book with token_budget 100000 left the transcript 0 tokens. SillyTavern keeps
        // one budget for all World Info and stops at the first entry that overflows it (checkWorldInfo).
        string Text(char c) => new(c, 400); // 100 tokens each
        var greedy = Book(
            new Lorebook
            {
                Name = "Greedy",
                TokenBudget = 100_000,
                Entries = [.. Enumerable.Range(1, 10).Select(i => Entry(i, Text((char)('a' + i)), "ship"))],
            }
        );
        var settings = new NarratorSettings(4096, 1024, null); // a prompt of 3072 tokens, lore 768
        var input = new LoreInput("adv", 1, [greedy], [], []);
        var result = LorePrompt.Activate(
            input,
            new PlayerAction("do", "the ship"),
            settings,
            new TokenEstimator(),
            new LoreIndexCache()
        );
        Assert.Equal(7, result.Triggered.Count);
        Assert.True(result.Triggered.Sum(t => t.Tokens) <= LorePrompt.Budget(settings.PromptBudget, 25));
        Assert.All(result.Report.NotFired, n => Assert.Equal("budget", n.Reason));

        // A smaller budget of its own still wins.
        var modest = Book(greedy.Book with { TokenBudget = 250 });
        Assert.Equal(
            2,
            LorePrompt
                .Activate(
                    new LoreInput("adv", 1, [modest], [], []),
                    new PlayerAction("do", "the ship"),
                    settings,
                    new TokenEstimator(),
                    new LoreIndexCache()
                )
                .Triggered.Count
        );

        // The budget is one for all books, as SillyTavern's is: two books do not get a share each.
        var other = Book(
            new Lorebook
            {
                Name = "Other",
                Entries = [.. Enumerable.Range(1, 10).Select(i => Entry(i, Text('z'), "ship"))],
            }
        );
        var both = Activate([greedy, other], "the ship", defaultBudget: 768);
        Assert.Equal(7, both.Triggered.Count);
    }

    [Fact]
    public void null_sticky_cooldown_and_delay_stay_null_through_import_storage_and_export()
    {
        // convertCharacterBook: sticky: entry.extensions?.sticky ?? null (the same for cooldown and delay);
        // newWorldInfoEntryTemplate writes them as null.
        var card = """
            {"entries":[
              {"id":0,"keys":["a"],"content":"c","enabled":true,"insertion_order":0,
               "extensions":{"sticky":null,"cooldown":null,"delay":null}},
              {"id":1,"keys":["b"],"content":"c","enabled":true,"insertion_order":0,"sticky":null,"cooldown":null,
               "delay":null},
              {"id":2,"keys":["c"],"content":"c","enabled":true,"insertion_order":0,"extensions":{"sticky":0,
               "cooldown":2,"delay":null}}]}
            """;
        var book = LorebookFile.Read(Encoding.UTF8.GetBytes(card), "Timers");
        foreach (var format in new[] { LorebookFormat.SillyTavern, LorebookFormat.Card, LorebookFormat.SillyTavern })
        {
            // Stored as the server stores it, then exported and imported again.
            var stored = JsonSerializer.Deserialize<Lorebook>(
                JsonSerializer.Serialize(book, JsonSerializerOptions.Web),
                JsonSerializerOptions.Web
            )!;
            var exported = LorebookTransfer.Export(stored, format).Content;
            if (format == LorebookFormat.SillyTavern)
            {
                var entry = JsonNode.Parse(exported)!["entries"]!["0"]!.AsObject();
                Assert.True(entry.ContainsKey("sticky") && entry["sticky"] is null, "World Info writes null as null");
            }
            book = LorebookFile.Read(exported, "x");
            Assert.Equal(
                [(null, null, null), (null, null, null), ((int?)0, (int?)2, (int?)null)],
                book.Entries.Select(e => (e.Sticky, e.Cooldown, e.Delay))
            );
        }
    }
}
