using StoryEngine.Core.Memory;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// The full-text index scoped to one adventure inside the match itself (migration 0010, issue 5), on both engines:
/// search and word counts see only the adventure's own entries, ranking is bounded to the newest matches, and
/// removed, edited and re-keyed entries leave no trace. Recall's own fork, undo and edit tests run in RecallTests.
/// </summary>
public abstract class ScopedSearchTests(MemoryServer memory)
{
    private IMemoryStore Store => memory.Server.Services.GetRequiredService<IMemoryStore>();

    [Fact]
    public async Task search_and_word_counts_see_only_the_adventures_own_entries()
    {
        var mine = await IndexAsync([
            "I light the lantern in the cellar",
            "I walk to the market",
            "I sing at the market",
            "I sleep",
        ]);
        // A sibling with the same words, and more of them, so a shared ranking would put its turns first.
        var sibling = await IndexAsync([
            "the lantern the lantern the compass",
            "the compass and the lantern",
            "a lantern",
            "a compass",
            "the compass",
        ]);

        var hits = (
            await Store.SearchTextAsync(mine, Words(["lantern", "compass"]), 30, 1_000, CancellationToken.None)
        ).Hits;
        Assert.Equal(["t1"], hits.Select(h => h.TurnId));

        var counts = await Store.CountTermsAsync(mine, ["lantern", "compass", "market"], 1_000, CancellationToken.None);
        Assert.Equal(4, counts.Entries);
        Assert.Equal([1, 0, 2], counts.Matches);
        var siblingCounts = await Store.CountTermsAsync(sibling, ["compass", "market"], 3, CancellationToken.None);
        Assert.Equal([3, 0], siblingCounts.Matches); // in 4 of 5, counted only to the limit asked for
    }

    [Fact]
    public async Task a_word_common_in_one_adventure_is_not_matched_there_but_is_in_another_where_it_is_rare()
    {
        // A fork shares its parent's words but not their counts: document frequency is per adventure.
        var harbourStory = await IndexAsync([
            .. Enumerable.Range(1, 9).Select(i => $"I walk along the harbour, round {i}"),
            "I hide the lantern by the harbour",
        ]);
        var inlandStory = await IndexAsync([
            .. Enumerable.Range(1, 9).Select(i => $"I walk through the forest, round {i}"),
            "I hear of a harbour far away",
        ]);
        var options = new MemoryOptions { RankedMatches = 4 };
        var search = new MemoryTextSearch(Store, new TermFrequencies(Store, options, TimeProvider.System), options);

        var common = await search.SearchAsync(harbourStory, ["harbour", "lantern"], CancellationToken.None);
        Assert.Equal(["lantern"], common.Query.Matching); // harbour is in all ten: past the budget, only weighed
        Assert.Equal(["t10"], common.Hits.Select(h => h.TurnId));

        var rare = await search.SearchAsync(inlandStory, ["harbour", "lantern"], CancellationToken.None);
        Assert.Equal(["harbour", "lantern"], rare.Query.Matching);
        Assert.Equal(["t10"], rare.Hits.Select(h => h.TurnId));
    }

    [Fact]
    public async Task words_past_the_budget_in_over_half_are_dropped_and_the_newest_matches_of_the_rest_ranked()
    {
        var adventure = await IndexAsync([
            .. Enumerable
                .Range(1, 10)
                .Select(i =>
                    $"gulls over the quay{(i % 2 == 0 ? " and the ferry" : "")}{(i > 4 ? " by the quay" : "")}"
                ),
        ]);
        var options = new MemoryOptions { RankedMatches = 4 };
        var search = new MemoryTextSearch(Store, new TermFrequencies(Store, options, TimeProvider.System), options);

        // gulls and quay are in all ten turns, ferry in five (not over half): the only word searched, and only its four
        // newest turns ranked.
        var found = await search.SearchAsync(adventure, ["gulls", "ferry", "quay"], CancellationToken.None);

        Assert.Equal(["ferry"], found.Query.Matching);
        Assert.Equal(["ferry"], found.Query.Weighing);
        Assert.Equal(["t10", "t4", "t6", "t8"], found.Hits.Select(h => h.TurnId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task only_the_newest_matches_are_ranked_when_there_are_more_than_asked()
    {
        // The oldest turns are the best matches by far, and still outside the three newest matches that are ranked.
        var adventure = await IndexAsync([
            "flute flute flute flute",
            "flute flute flute",
            "a flute",
            "the flute",
            "one flute",
            "nothing",
        ]);

        var hits = (await Store.SearchTextAsync(adventure, Words(["flute"]), 30, 3, CancellationToken.None)).Hits;

        Assert.Equal(["t3", "t4", "t5"], hits.Select(h => h.TurnId).Order());
    }

    [Fact]
    public async Task removed_and_edited_entries_leave_the_index_and_a_deleted_adventures_key_shows_none_of_its_turns()
    {
        var gone = await IndexAsync(["I bury the silver compass", "I drop the red lantern"]);
        await Store.ApplyAsync(gone, [], ["t1", "t2"], CancellationToken.None);
        // On SQLite the key of an adventure whose entries are all gone is freed and may be the next adventure's.
        var next = await IndexAsync(["I count the gulls"]);

        Assert.Empty(
            (await Store.SearchTextAsync(gone, Words(["compass", "lantern"]), 30, 1_000, CancellationToken.None)).Hits
        );
        Assert.Empty(
            (await Store.SearchTextAsync(next, Words(["compass", "lantern"]), 30, 1_000, CancellationToken.None)).Hits
        );
        Assert.Equal(
            [0, 0],
            (await Store.CountTermsAsync(next, ["compass", "lantern"], 1_000, CancellationToken.None)).Matches
        );

        await Store.ApplyAsync(next, [Entry(next, 1, "I count the herons")], [], CancellationToken.None);
        Assert.Empty((await Store.SearchTextAsync(next, Words(["gulls"]), 30, 1_000, CancellationToken.None)).Hits);
        Assert.Equal(
            ["t1"],
            (await Store.SearchTextAsync(next, Words(["herons"]), 30, 1_000, CancellationToken.None)).Hits.Select(h =>
                h.TurnId
            )
        );
    }

    [Fact]
    public async Task words_only_weighed_order_the_turns_found_but_find_none_of_their_own()
    {
        var adventure = await IndexAsync(["I keep the amber ring", "I keep the amber box", "I keep the ring"]);

        var hits = (
            await Store.SearchTextAsync(
                adventure,
                new TextQuery(["amber"], ["amber", "ring"]),
                30,
                1_000,
                CancellationToken.None
            )
        ).Hits;

        // Without the ring weighed the two amber turns tie and the newer comes first.
        Assert.Equal(["t1", "t2"], hits.Select(h => h.TurnId));
    }

    [Fact]
    public async Task a_search_brings_back_the_index_generation_it_saw_with_its_hits_in_ranking_order()
    {
        // Recall learns the generation (which the vector cache checks) from the search itself, saving a round trip.
        var adventure = await IndexAsync(["a flute", "flute flute flute", "a drum", "flute flute"]);
        var first = await Store.SearchTextAsync(adventure, Words(["flute"]), 30, 1_000, CancellationToken.None);
        Assert.Equal(await Store.GetGenerationAsync(adventure, CancellationToken.None), first.Generation);
        Assert.Equal(["t2", "t4", "t1"], first.Hits.Select(h => h.TurnId)); // most flutes first
        Assert.True(first.Hits.Zip(first.Hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));

        await Store.ApplyAsync(adventure, [Entry(adventure, 5, "a quiet flute")], [], CancellationToken.None);
        var after = await Store.SearchTextAsync(adventure, Words(["flute"]), 30, 1_000, CancellationToken.None);
        Assert.Equal(first.Generation + 1, after.Generation);
        Assert.Contains("t5", after.Hits.Select(h => h.TurnId));

        // With no word to search, and for an adventure never indexed, the generation still comes back.
        Assert.Equal(
            after.Generation,
            (await Store.SearchTextAsync(adventure, TextQuery.None, 30, 1_000, CancellationToken.None)).Generation
        );
        var never = await Store.SearchTextAsync(
            Guid.NewGuid().ToString("N"),
            Words(["flute"]),
            30,
            1_000,
            CancellationToken.None
        );
        Assert.Equal((0L, 0), (never.Generation, never.Hits.Count));
    }

    /// <summary>A new adventure whose turns t1, t2, … have these texts, indexed in one write.</summary>
    private async Task<string> IndexAsync(IReadOnlyList<string> texts)
    {
        var adventureId = Guid.NewGuid().ToString("N");
        await Store.ApplyAsync(
            adventureId,
            [.. texts.Select((text, i) => Entry(adventureId, i + 1, text))],
            [],
            CancellationToken.None
        );
        return adventureId;
    }

    private static MemoryEntry Entry(string adventureId, int number, string text) =>
        new(adventureId, $"t{number}", number, Version: number, text, Embedding: null, EmbeddingModel: null);
}

public sealed class ScopedSearchTests_Sqlite(TextMemorySqliteServer memory)
    : ScopedSearchTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class ScopedSearchTests_Postgres(TextMemoryPostgresServer memory)
    : ScopedSearchTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
