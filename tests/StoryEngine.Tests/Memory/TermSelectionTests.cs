using StoryEngine.Core.Memory;

namespace StoryEngine.Tests.Memory;

/// <summary>Which query words full-text recall searches for (issue 5: bounded ranking,
/// docs/adr/0028-bounded-full-text-recall.md).</summary>
public sealed class TermSelectionTests
{
    [Fact]
    public void words_in_over_half_of_a_large_adventure_are_dropped()
    {
        var query = TermSelection.Select(
            ["walk", "lantern", "maren"],
            new TermCounts(10_000, [9_800, 40, 600]),
            budget: 1_000
        );

        Assert.Equal(["lantern", "maren"], query.Matching);
        Assert.Equal(["lantern", "maren"], query.Weighing);
    }

    [Fact]
    public void an_adventure_within_the_budget_keeps_even_its_commonest_words()
    {
        // Two turns: every word of the second is in "over half" of them, and still the only way to find the first.
        var query = TermSelection.Select(["brass", "key"], new TermCounts(1, [1, 1]), budget: 1_000);

        Assert.Equal(["brass", "key"], query.Matching);
    }

    [Fact]
    public void rarest_words_are_matched_while_their_matches_fit_the_budget_and_the_rest_only_weigh_in()
    {
        var query = TermSelection.Select(
            ["chapel", "maren", "flute", "jade", "ask"],
            new TermCounts(10_000, [976, 618, 262, 414, 4_870]),
            budget: 1_000
        );

        Assert.Equal(["flute", "jade"], query.Matching); // 262 + 414 fit; maren would make it 1,294
        // 2,270 fit in 4,000; ask would make it 7,140; in the query's order
        Assert.Equal(["chapel", "maren", "flute", "jade"], query.Weighing);
    }

    [Fact]
    public void the_rarest_word_is_searched_even_when_it_alone_is_over_the_budget()
    {
        var query = TermSelection.Select(["harbour", "gulls"], new TermCounts(10_000, [3_000, 2_000]), budget: 1_000);

        Assert.Equal(["gulls"], query.Matching);
        Assert.Equal(["gulls"], query.Weighing); // 5,000 matches are past what is weighed
    }

    [Fact]
    public void words_that_match_nothing_are_kept_because_the_counts_may_be_older_than_the_index()
    {
        var query = TermSelection.Select(["put", "flute"], new TermCounts(10_000, [0, 262]), budget: 1_000);

        Assert.Equal(["put", "flute"], query.Matching);
    }

    [Fact]
    public void nothing_is_searched_when_every_word_is_common_in_a_large_adventure()
    {
        var query = TermSelection.Select(["walk", "town"], new TermCounts(5_000, [4_999, 2_501]), budget: 1_000);

        Assert.Empty(query.Matching);
        Assert.Empty(query.Weighing);
    }
}
