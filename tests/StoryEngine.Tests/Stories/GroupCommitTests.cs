using System.Data.Common;
using Dapper;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;
using StoryEngine.Storage;
using StoryEngine.Storage.Stories;
using StoryEngine.Tests.Jobs;

namespace StoryEngine.Tests.Stories;

/// <summary>
/// Issue 19: appends that queue behind SQLite's one writer are committed together. One failing append in a batch must
/// not take the others with it, nor be reported as written: each caller gets its own outcome. The write gate is held
/// while the appends are started, so on SQLite they all wait and go into one batch.
/// </summary>
public abstract class GroupCommitTests(JobDatabase database)
{
    private IStorageProvider Provider => database.Provider;

    [Fact]
    public async Task a_stale_append_in_a_batch_is_refused_alone_and_the_others_are_committed()
    {
        var log = new StoryLog(Provider);
        var writer = new StoryWriter(new AdventureStore(Provider), log, TimeProvider.System);
        var first = await CreateAdventureAsync(log);
        var second = await CreateAdventureAsync(log);
        // Played once already, so an append made from the header as it was before is stale.
        var played = await CreateAdventureAsync(log);
        await writer.AppendAsync(played, played.OwnerId, [Action(played, "turn-0")], CancellationToken.None);

        Task<IReadOnlyList<TurnRecord>> a,
            stale,
            b;
        await using (await Provider.OpenForWriteAsync(CancellationToken.None))
        {
            a = writer.AppendAsync(first, first.OwnerId, [Action(first, "turn-a")], CancellationToken.None);
            stale = writer.AppendAsync(played, played.OwnerId, [Action(played, "turn-x")], CancellationToken.None);
            b = writer.AppendAsync(second, second.OwnerId, [Action(second, "turn-b")], CancellationToken.None);
        }

        Assert.Equal("turn-a", Assert.Single(await a).TurnId);
        Assert.Equal("turn-b", Assert.Single(await b).TurnId);
        Assert.Equal("story_conflict", (await Assert.ThrowsAsync<StoryConflictException>(() => stale)).Code);
        Assert.NotNull(await log.GetTurnAsync(first.Id, "turn-a", CancellationToken.None));
        Assert.NotNull(await log.GetTurnAsync(second.Id, "turn-b", CancellationToken.None));
        Assert.Null(await log.GetTurnAsync(played.Id, "turn-x", CancellationToken.None));
        Assert.Equal(1, await log.GetLastSequenceAsync(played.Id, CancellationToken.None));
    }

    [Fact]
    public async Task a_write_the_database_refuses_fails_only_its_own_caller_and_the_batch_commits_once()
    {
        var batcher = new AppendBatcher(Provider);
        var adventure = "batch-" + Guid.NewGuid().ToString("N");

        Task before,
            duplicate,
            after,
            broken;
        await using (await Provider.OpenForWriteAsync(CancellationToken.None))
        {
            before = batcher.WriteAsync((c, t, ct) => InsertEventAsync(c, t, adventure, 1, ct), CancellationToken.None);
            // The same sequence again: the primary key refuses it, inside the batch's transaction.
            duplicate = batcher.WriteAsync(
                (c, t, ct) => InsertEventAsync(c, t, adventure, 1, ct),
                CancellationToken.None
            );
            after = batcher.WriteAsync((c, t, ct) => InsertEventAsync(c, t, adventure, 2, ct), CancellationToken.None);
            broken = batcher.WriteAsync(
                (_, _, _) => throw new InvalidOperationException("the append's own code failed"),
                CancellationToken.None
            );
        }

        await before;
        await after;
        var refused = await Assert.ThrowsAnyAsync<DbException>(() => duplicate);
        Assert.True(Provider.IsUniqueViolation(refused));
        Assert.Equal(
            "the append's own code failed",
            (await Assert.ThrowsAsync<InvalidOperationException>(() => broken)).Message
        );
        await using var connection = await Provider.OpenAsync(CancellationToken.None);
        var stored = await connection.QueryAsync<long>(
            "SELECT sequence FROM story_events WHERE adventure_id = @adventure ORDER BY sequence",
            new { adventure }
        );
        Assert.Equal([1L, 2L], stored);
        if (Provider.SingleWriter)
        {
            Assert.Equal(1, batcher.Batches); // all four waited behind the held writer and went in together
        }
    }

    [Fact]
    public async Task an_append_cancelled_while_it_waits_is_not_written()
    {
        var batcher = new AppendBatcher(Provider);
        var adventure = "batch-" + Guid.NewGuid().ToString("N");
        using var cancel = new CancellationTokenSource();

        Task kept,
            dropped;
        await using (await Provider.OpenForWriteAsync(CancellationToken.None))
        {
            kept = batcher.WriteAsync((c, t, ct) => InsertEventAsync(c, t, adventure, 1, ct), CancellationToken.None);
            dropped = batcher.WriteAsync((c, t, ct) => InsertEventAsync(c, t, adventure, 2, ct), cancel.Token);
            await cancel.CancelAsync();
        }

        await kept;
        if (Provider.SingleWriter)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
            await using var connection = await Provider.OpenAsync(CancellationToken.None);
            var stored = await connection.QueryAsync<long>(
                "SELECT sequence FROM story_events WHERE adventure_id = @adventure",
                new { adventure }
            );
            Assert.Equal([1L], stored);
        }
    }

    private static ActionTaken Action(Adventure adventure, string turnId) =>
        new(turnId, adventure.TurnCount + 1, "do", "I light the lamp");

    private static async Task<Adventure> CreateAdventureAsync(StoryLog log)
    {
        var now = DateTimeOffset.UtcNow;
        var adventure = new Adventure(
            "adv-" + Guid.NewGuid().ToString("N"),
            "owner-" + Guid.NewGuid().ToString("N"),
            "world",
            "Group commit",
            null,
            [],
            null,
            null,
            null,
            0,
            0,
            now,
            now
        );
        await log.CreateAsync(adventure, [], [], CancellationToken.None);
        return adventure;
    }

    private static Task InsertEventAsync(
        DbConnection connection,
        DbTransaction transaction,
        string adventureId,
        long sequence,
        CancellationToken cancellationToken
    ) =>
        connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO story_events (adventure_id, sequence, type, payload, actor, at) "
                    + "VALUES (@adventureId, @sequence, 'Test', '{}', 'test', 0)",
                new { adventureId, sequence },
                transaction,
                cancellationToken: cancellationToken
            )
        );
}

public sealed class GroupCommitTests_Sqlite(SqliteJobDatabase database)
    : GroupCommitTests(database),
        IClassFixture<SqliteJobDatabase>;

public sealed class GroupCommitTests_Postgres(PostgresJobDatabase database)
    : GroupCommitTests(database),
        IClassFixture<PostgresJobDatabase>;
