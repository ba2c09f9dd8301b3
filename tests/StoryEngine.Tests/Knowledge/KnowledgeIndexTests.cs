using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Storage;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Knowledge;
using StoryEngine.Storage.Migrations;
using StoryEngine.Tests.Memory;

namespace StoryEngine.Tests.Knowledge;

/// <summary>
/// Knowledge search's full-text half, bounded as recall's is (migration 0022, ADR 60), on both engines: the world is
/// part of the match, its rarest words are searched, a word in no passage does not leave the search empty, and
/// passages indexed before version 22 are found after it. A server of its own: the last test takes the database down
/// a version and back.
/// </summary>
public abstract class KnowledgeIndexTests(MemoryServer memory)
{
    private const string Owner = "knowledge-index-owner";

    private IStorageProvider Provider => memory.Server.Services.GetRequiredService<IStorageProvider>();

    [Fact]
    public async Task a_world_is_searched_alone_and_a_word_in_no_passage_does_not_hide_the_others()
    {
        var mine = await WorldWithPassagesAsync("The ivory whistle lies under the old bridge.", "Gulls over the quay.");
        await WorldWithPassagesAsync("The ivory whistle hangs in the bell tower.");

        // "put" is in no passage: it must not take the place of the rarest word and find nothing.
        var result = await Search().SearchAsync(Owner, mine.World, "Where did I put the ivory whistle?", 5, default);

        var hit = Assert.Single(result.Hits);
        Assert.Equal("The ivory whistle lies under the old bridge.", hit.Passage.Text);
        Assert.Equal(1, hit.TextRank);
    }

    [Fact]
    public async Task the_rarest_word_finds_its_passage_when_a_common_one_is_past_the_ranking_budget()
    {
        var lanterns = Enumerable.Range(0, 12).Select(i => $"A lantern burns in window {i}.").ToList();
        lanterns.Insert(3, "The lantern and the brass compass are in the chest.");
        var world = await WorldWithPassagesAsync([.. lanterns]);

        var result = await Search(rankedMatches: 4).SearchAsync(Owner, world.World, "lantern compass", 3, default);

        Assert.Equal("The lantern and the brass compass are in the chest.", result.Hits[0].Passage.Text);
    }

    [Fact]
    public async Task passages_indexed_before_version_22_are_found_after_it_and_only_in_their_own_world()
    {
        var early = await WorldWithPassagesAsync("The silver compass points to the orchard.");
        var other = await WorldWithPassagesAsync("A lighthouse stands on the cape.");
        var migrations = new MigrationRunner(Provider);

        await migrations.DownAsync(21, dryRun: false, CancellationToken.None);
        // Written through version 21's triggers, as an older server did.
        await Store.ReplaceChunksAsync(
            Owner,
            other.World,
            other.Document,
            [new DocumentChunk(0, "Coast", "A lighthouse stands on the cape."), new(1, "Coast", "The compass rose.")],
            default
        );
        await migrations.UpAsync(dryRun: false, CancellationToken.None);

        var search = Search();
        Assert.Equal(
            ["The silver compass points to the orchard."],
            (await search.SearchAsync(Owner, early.World, "compass", 5, default)).Hits.Select(h => h.Passage.Text)
        );
        Assert.Equal(
            ["The compass rose."],
            (await search.SearchAsync(Owner, other.World, "compass", 5, default)).Hits.Select(h => h.Passage.Text)
        );
        // The reindexed rows are kept in step like new ones: replacing a document's passages takes the old ones out.
        await Store.ReplaceChunksAsync(Owner, other.World, other.Document, [new(0, "", "Fog.")], default);
        Assert.Empty((await Search().SearchAsync(Owner, other.World, "compass", 5, default)).Hits);
    }

    private KnowledgeStore Store => new(Provider);

    private KnowledgeSearch Search(int rankedMatches = 1_000) =>
        new(
            Store,
            MemoryEmbeddings.None,
            new KnowledgeOptions { RankedMatches = rankedMatches },
            new MemoryOptions(),
            TimeProvider.System,
            NullLogger<KnowledgeSearch>.Instance
        );

    private async Task<(string World, string Document)> WorldWithPassagesAsync(params string[] passages)
    {
        var worldId = Ids.New();
        var documentId = Ids.New();
        var now = DateTimeOffset.UtcNow;
        await new DocumentStore<World>(Provider, "worlds").InsertAsync(
            new StoredResource<World>(worldId, Owner, null, new World { Name = "Atlas" }, 1, now, now, null),
            default
        );
        await new DocumentStore<KnowledgeDocument>(Provider, "knowledge_documents", "worlds").InsertAsync(
            new StoredResource<KnowledgeDocument>(
                documentId,
                Owner,
                worldId,
                new KnowledgeDocument
                {
                    Name = "Bible",
                    Format = DocumentFormats.Text,
                    MediaType = "text/plain",
                    Sha256 = "",
                },
                1,
                now,
                now,
                null
            ),
            default
        );
        await Store.ReplaceChunksAsync(
            Owner,
            worldId,
            documentId,
            [.. passages.Select((text, i) => new DocumentChunk(i, "", text))],
            default
        );
        return (worldId, documentId);
    }
}

public sealed class KnowledgeIndexTests_Sqlite(TextMemorySqliteServer memory)
    : KnowledgeIndexTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class KnowledgeIndexTests_Postgres(TextMemoryPostgresServer memory)
    : KnowledgeIndexTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
