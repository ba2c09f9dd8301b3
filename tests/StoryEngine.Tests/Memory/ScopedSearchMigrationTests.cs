using Dapper;
using StoryEngine.Core.Memory;
using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// Migration 0010 on a database that already has memories (issue 5): what version 9 indexed is reindexed with its
/// adventure, on both engines, and the way back to version 9 keeps it searchable. A server of its own, because the
/// test takes its database down a version and back.
/// </summary>
public abstract class ScopedSearchMigrationTests(MemoryServer memory)
{
    [Fact]
    public async Task memories_indexed_before_version_10_are_found_after_it_and_only_in_their_own_adventure()
    {
        var provider = memory.Server.Services.GetRequiredService<IStorageProvider>();
        var store = memory.Server.Services.GetRequiredService<IMemoryStore>();
        var migrations = new MigrationRunner(provider);
        var early = Guid.NewGuid().ToString("N");
        await store.ApplyAsync(
            early,
            [new MemoryEntry(early, "t1", 1, 1, "I hide the brass key in the " + "lighthouse", null, null)],
            [],
            CancellationToken.None
        );

        await migrations.DownAsync(9, dryRun: false, CancellationToken.None);
        Assert.Equal(["t1"], await Version9SearchAsync(provider, "brass"));
        // Written by version 9's schema and triggers, as an older server did.
        var late = Guid.NewGuid().ToString("N");
        await using (var connection = await provider.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                "INSERT INTO memory_entries (adventure_id, turn_id, number, version, text) VALUES (@Late, 't1', 1, "
                    + "1, 'I bury the brass compass in the orchard')",
                new { Late = late }
            );
        }

        await migrations.UpAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(
            ["t1"],
            (
                await store.SearchTextAsync(early, Words(["brass", "compass"]), 30, 1_000, CancellationToken.None)
            ).Hits.Select(h => h.TurnId)
        );
        Assert.Equal(
            ["t1"],
            (await store.SearchTextAsync(late, Words(["compass"]), 30, 1_000, CancellationToken.None)).Hits.Select(h =>
                h.TurnId
            )
        );
        Assert.Empty((await store.SearchTextAsync(early, Words(["compass"]), 30, 1_000, CancellationToken.None)).Hits);
        Assert.Equal(
            [1, 0],
            (await store.CountTermsAsync(late, ["compass", "lighthouse"], 1_000, CancellationToken.None)).Matches
        );
        // The reindexed rows are kept in step like new ones: removing one takes it out of the index.
        await store.ApplyAsync(late, [], ["t1"], CancellationToken.None);
        Assert.Empty((await store.SearchTextAsync(late, Words(["compass"]), 30, 1_000, CancellationToken.None)).Hits);
    }

    /// <summary>Turn ids matching one word through version 9's full-text index (shared by all adventures).</summary>
    private static async Task<string[]> Version9SearchAsync(IStorageProvider provider, string word)
    {
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        var sql =
            provider.Engine == "postgres"
                ? "SELECT turn_id FROM memory_entries WHERE search @@ to_tsquery('english', @Word)"
                : "SELECT m.turn_id FROM memory_fts JOIN memory_entries m ON m.id = memory_fts.rowid WHERE memory_fts "
                    + "MATCH @Word";
        return [.. await connection.QueryAsync<string>(sql, new { Word = word })];
    }
}

public sealed class ScopedSearchMigrationTests_Sqlite(TextMemorySqliteServer memory)
    : ScopedSearchMigrationTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class ScopedSearchMigrationTests_Postgres(TextMemoryPostgresServer memory)
    : ScopedSearchMigrationTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
