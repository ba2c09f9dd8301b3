using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Formats.Lore;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Lore.LoreTestBooks;

namespace StoryEngine.Tests.Lore;

/// <summary>Constant, probability, order, budget, recursion and timers (issue 5, "Lorebooks"): pure activation, no
/// server.</summary>
public sealed class LoreActivationRulesTests
{
    [Fact]
    public void constant_entries_fire_without_keys_into_the_constant_section_in_insertion_order()
    {
        var book = Book(
            Entry(1, "Second.") with
            {
                Constant = true,
                InsertionOrder = 20,
            },
            Entry(2, "First.") with
            {
                Constant = true,
                InsertionOrder = 10,
            },
            Entry(3, "Triggered.", "door")
        );
        var result = Activate([book], "I open the door.");
        Assert.Equal(["First.", "Second."], result.Constant.Select(c => c.Text));
        Assert.Equal(["Triggered."], result.Triggered.Select(c => c.Text));
        Assert.All(result.Report.Fired.Where(f => f.EntryId != 3), f =>
            Assert.Equal(("constant", "constant lore"), (f.Reason, f.Placement))
        );
        // Constant lore is the same every turn while the book is unchanged: the prompt prefix stays cacheable.
        Assert.Equal(
            result.Constant.Select(c => c.Text),
            Activate([book], "Something else entirely.", turnNumber: 51).Constant.Select(c => c.Text)
        );
    }

    [Fact]
    public void probability_is_seeded_by_adventure_turn_and_entry_so_a_retry_rolls_the_same()
    {
        var book = Book(Entry(1, "Maybe.", "bell") with { Probability = 50 });
        var outcomes = Enumerable
            .Range(1, 400)
            .Select(turn => Activate([book], "the bell", turnNumber: turn).Report.Fired.Count)
            .ToArray();
        var again = Enumerable
            .Range(1, 400)
            .Select(turn => Activate([book], "the bell", turnNumber: turn).Report.Fired.Count)
            .ToArray();
        Assert.Equal(outcomes, again);
        Assert.InRange(outcomes.Sum(), 150, 250); // a fair coin over 400 turns
        // Another adventure rolls differently.
        Assert.NotEqual(
            outcomes,
            Enumerable
                .Range(1, 400)
                .Select(turn => Activate([book], "the bell", turnNumber: turn, adventureId: "other").Report.Fired.Count)
                .ToArray()
        );

        var lost = Enumerable.Range(1, 400).First(turn => outcomes[turn - 1] == 0);
        var missed = Assert.Single(Activate([book], "the bell", turnNumber: lost).Report.NotFired);
        Assert.Equal("probability", missed.Reason);
        Assert.Contains("50%", missed.Detail, StringComparison.Ordinal);
        Assert.Contains("\"bell\"", missed.Detail, StringComparison.Ordinal);

        Assert.Empty(Activate([Book(Entry(2, "Never.", "bell") with { Probability = 0 })], "the bell").Report.Fired);
    }

    [Fact]
    public void triggered_entries_are_placed_by_insertion_order_then_book_then_id()
    {
        var first = Book(
            Entry(5, "B5.", "ship") with
            {
                InsertionOrder = 50,
            },
            Entry(1, "B1.", "ship") with
            {
                InsertionOrder = 50,
            },
            Entry(9, "Early.", "ship") with
            {
                InsertionOrder = 1,
            }
        );
        var second = Book(Entry(0, "Other book.", "ship") with { InsertionOrder = 50 });
        Assert.Equal(
            ["Early.", "B1.", "B5.", "Other book."],
            Activate([first, second], "a ship").Triggered.Select(t => t.Text)
        );
    }

    [Fact]
    public void over_a_books_budget_the_lowest_priority_entries_are_cut_and_each_cut_is_reported()
    {
        // Each content is 40 characters, 10 tokens; the book may use 25.
        string Text(char c) => new(c, 40);
        var book = Book(
            new Lorebook
            {
                Name = "Tight",
                TokenBudget = 25,
                Entries =
                [
                    Entry(1, Text('a'), "ship") with
                    {
                        Priority = 5,
                    },
                    Entry(2, Text('b'), "ship") with
                    {
                        Priority = 50,
                    },
                    Entry(3, Text('c'), "ship") with
                    {
                        Priority = 1,
                    },
                    Entry(4, Text('d'), "ship") with
                    {
                        InsertionOrder = 40,
                    }, // no priority: its insertion order stands in
                ],
            }
        );
        var result = Activate([book], "a ship");
        Assert.Equal([2, 4], result.FiredIds().Order());
        Assert.Equal([1, 3], result.Report.NotFired.Select(n => n.EntryId).Order());
        Assert.All(result.Report.NotFired, n => Assert.Equal("budget", n.Reason));
        Assert.Contains(
            "needs 10 tokens",
            result.Report.NotFired.Single(n => n.EntryId == 1).Detail,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "5 of 25 left",
            result.Report.NotFired.Single(n => n.EntryId == 1).Detail,
            StringComparison.Ordinal
        );

        // Without a budget of its own the book gets the lore budget's share of the prompt.
        var unbudgeted = Book(
            new Lorebook { Name = "Open", Entries = [Entry(1, Text('a'), "ship"), Entry(2, Text('b'), "ship")] }
        );
        var cut = Assert.Single(Activate([unbudgeted], "a ship", defaultBudget: 15).Report.NotFired);
        Assert.Contains("the lore budget", cut.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void constant_entries_take_the_budget_before_triggered_ones_so_the_prefix_does_not_move()
    {
        var book = Book(
            new Lorebook
            {
                Name = "Budget",
                TokenBudget = 10,
                Entries =
                [
                    Entry(1, new string('k', 40)) with
                    {
                        Constant = true,
                        Priority = 1,
                    },
                    Entry(2, new string('t', 40), "ship") with
                    {
                        Priority = 99,
                    },
                ],
            }
        );
        var result = Activate([book], "a ship");
        Assert.Equal([1], result.FiredIds());
        Assert.Equal(2, Assert.Single(result.Report.NotFired).EntryId);
    }

    [Fact]
    public void recursion_scans_activated_content_for_more_keys_up_to_the_maximum_depth()
    {
        var chain = Book(
            Entry(1, "The harbour has a lighthouse.", "harbour"),
            Entry(2, "The lighthouse keeper is Maren.", "lighthouse"),
            Entry(3, "Maren hides a key.", "Maren"),
            Entry(4, "The key opens the vault.", "key"),
            Entry(5, "The vault holds a map.", "vault")
        );
        var result = Activate([chain], "I walk to the harbour.");
        Assert.Equal([1, 2, 3, 4], result.FiredIds().Order()); // 3 levels of recursion after the first pass
        var keeper = result.Report.Fired.Single(f => f.EntryId == 2);
        Assert.Equal(("recursion", "lighthouse"), (keeper.Reason, keeper.Key));
        Assert.Contains("entry 1", keeper.Where, StringComparison.Ordinal);
        Assert.Contains("recursion level 1", keeper.Where, StringComparison.Ordinal);
        Assert.Contains(
            "recursion level 3",
            result.Report.Fired.Single(f => f.EntryId == 4).Where,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void a_book_whose_budget_is_full_is_not_scanned_by_recursion()
    {
        var book = Book(
            new Lorebook
            {
                Name = "Small",
                TokenBudget = 10,
                Entries =
                [
                    Entry(1, "The harbour has a lighthouse.", "harbour") with
                    {
                        Priority = 10,
                    }, // 8 tokens
                    Entry(3, "Boats come and go all day.", "harbour") with
                    {
                        Priority = 1,
                    }, // 7 tokens: overflows the book
                    Entry(2, "The keeper.", "lighthouse"),
                ],
            }
        );
        var result = Activate([book], "harbour");
        Assert.Equal([1], result.FiredIds());
        Assert.Equal(3, Assert.Single(result.Report.NotFired).EntryId); // entry 2 was never looked for
        // With room left, the same book recurses.
        Assert.Equal([1, 2, 3], Activate([Book(book.Book with { TokenBudget = 100 })], "harbour").FiredIds().Order());
    }

    [Fact]
    public void recursion_respects_exclude_prevent_delay_and_the_books_setting()
    {
        LoreEntry Source() => Entry(1, "The harbour has a lighthouse.", "harbour");
        LoreEntry Target() => Entry(2, "The keeper.", "lighthouse");
        Assert.Equal([1], Activate([Book(Source(), Target() with { ExcludeRecursion = true })], "harbour").FiredIds());
        Assert.Equal([1], Activate([Book(Source() with { PreventRecursion = true }, Target())], "harbour").FiredIds());
        Assert.Equal(
            [1],
            Activate(
                    [
                        Book(
                            new Lorebook
                            {
                                Name = "Flat",
                                RecursiveScanning = false,
                                Entries = [Source(), Target()],
                            }
                        ),
                    ],
                    "harbour"
                )
                .FiredIds()
        );

        // Delayed until recursion: not on the first pass, but on level 1 even from the recent turns.
        var delayed = Entry(3, "Late.", "harbour") with { DelayUntilRecursion = 1 };
        var result = Activate([Book(Source(), delayed)], "harbour");
        Assert.Equal([1, 3], result.FiredIds().Order());
        Assert.Contains(
            "delayed until recursion level 1",
            result.Report.Fired.Single(f => f.EntryId == 3).Where,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void recursion_crosses_books()
    {
        var world = Book(Entry(1, "Maren keeps the lighthouse.", "lighthouse"));
        var character = Book(Entry(1, "Maren is gruff.", "Maren"));
        var result = Activate([world, character], "the lighthouse");
        Assert.Equal(2, result.Report.Fired.Count);
        Assert.Equal("recursion", result.Report.Fired.Single(f => f.BookId == character.Id).Reason);
    }

    [Fact]
    public void a_sticky_entry_stays_for_its_turns_without_its_keys()
    {
        var book = Book(Entry(1, "The storm.", "storm") with { Sticky = 3 });
        var stuck = Assert.Single(Activate([book], "calm", history: FiredAgo(book.Id, 1, 3)).Report.Fired);
        Assert.Equal(("sticky", 47), (stuck.Reason, stuck.TurnNumber));
        Assert.Empty(Activate([book], "calm", history: FiredAgo(book.Id, 1, 4)).Report.Fired);
        // A turn where it was there only because it stuck does not restart the count.
        var stickyOnly = new[] { new LoreHistoryTurn(49, [new LoreFiredRef(book.Id, 1, true)]) }
            .Concat(FiredAgo(book.Id, 1, 4).Skip(1))
            .ToArray();
        Assert.Empty(Activate([book], "calm", history: stickyOnly).Report.Fired);
    }

    [Fact]
    public void cooldown_blocks_an_entry_after_it_fired_and_after_its_sticky_turns()
    {
        var book = Book(Entry(1, "The bell.", "bell") with { Cooldown = 2 });
        var blocked = Assert.Single(Activate([book], "the bell", history: FiredAgo(book.Id, 1, 2)).Report.NotFired);
        Assert.Equal("cooldown", blocked.Reason);
        Assert.Contains("fired in turn 48", blocked.Detail, StringComparison.Ordinal);
        Assert.Single(Activate([book], "the bell", history: FiredAgo(book.Id, 1, 3)).Report.Fired);

        var both = Book(Entry(1, "The bell.", "bell") with { Sticky = 1, Cooldown = 2 });
        Assert.Equal(
            "sticky",
            Assert.Single(Activate([both], "quiet", history: FiredAgo(both.Id, 1, 1)).Report.Fired).Reason
        );
        Assert.Equal(
            "cooldown",
            Assert.Single(Activate([both], "the bell", history: FiredAgo(both.Id, 1, 3)).Report.NotFired).Reason
        );
        Assert.Single(Activate([both], "the bell", history: FiredAgo(both.Id, 1, 4)).Report.Fired);
    }

    [Fact]
    public void delay_keeps_an_entry_out_until_the_story_has_enough_turns()
    {
        var book = Book(Entry(1, "Later.", "bell") with { Delay = 3 });
        var early = Assert.Single(Activate([book], "the bell", turnsBefore: 2).Report.NotFired);
        Assert.Equal("delay", early.Reason);
        Assert.Single(Activate([book], "the bell", turnsBefore: 3).Report.Fired);
    }

    [Fact]
    public void every_fixture_book_activates_without_warnings()
    {
        foreach (var fixture in SharedFixtures.In("lorebooks"))
        {
            var book = LorebookFile.Read(SharedFixtures.Read(fixture), Path.GetFileNameWithoutExtension(fixture));
            var allKeys = string.Join(" ", book.Entries.SelectMany(e => e.Keys));
            var result = Activate([Book(book)], allKeys);
            Assert.Empty(result.Report.Warnings);
            Assert.Equal(
                book.Entries.Count(e => e.Enabled && (e.Constant || e.Keys.Any(k => !string.IsNullOrWhiteSpace(k)))),
                result.Report.Fired.Count + result.Report.NotFired.Count
            );
        }
    }
}
