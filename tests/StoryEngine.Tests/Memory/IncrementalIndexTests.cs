using System.Reflection;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// The incremental index sync (ADR 30) against what a full sync gives, on adventures played at random with edits,
/// undos, retries, alternatives and forks; what survives a failed or overtaken sync; and that a sync after a turn
/// reads only the log's tail. Jobs are built here over the server's real store and log (both engines).
/// </summary>
public abstract class IncrementalIndexTests(MemoryServer memory)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private IServiceProvider Services => memory.Server.Services;

    private IMemoryStore Store => Services.GetRequiredService<IMemoryStore>();

    private MemoryIndexJob Job(HashEmbeddings? vectors, IStoryLog? log = null, IMemoryStore? store = null) =>
        new(
            log ?? Services.GetRequiredService<IStoryLog>(),
            store ?? Store,
            vectors?.AsMemoryEmbeddings() ?? MemoryEmbeddings.None
        );

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public async Task syncing_as_the_story_goes_gives_the_index_a_full_sync_gives_through_edits_undos_retries_and_forks(
        int seed,
        bool withVectors
    )
    {
        var random = new Random(seed);
        var play = new IndexPlay(Services, random);
        var vectors = withVectors ? new HashEmbeddings() : null;
        var job = Job(vectors);
        var adventures = new List<string> { await play.CreateAsync() };
        for (var round = 0; round < 40; round++)
        {
            var adventureId = adventures[random.Next(adventures.Count)];
            await play.PlayAsync(adventureId, random.Next(1, 6));
            if (round % 10 == 9)
            {
                adventures.Add(await play.ForkAsync(adventureId));
            }
            // Now and then the text-only sync recall does inline; the next sync with vectors must give the rest their
            // vectors.
            var textOnly = random.Next(5) == 0;
            await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: !textOnly, None);
            if (!textOnly || !withVectors)
            {
                Assert.Equal(await play.ExpectedAsync(adventureId, vectors), await play.SnapshotAsync(adventureId));
            }
        }
        foreach (var adventureId in adventures)
        {
            await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
            var incremental = await play.SnapshotAsync(adventureId);
            Assert.Equal(await play.ExpectedAsync(adventureId, vectors), incremental);
            // A full sync of the same index (its cursor taken away) finds nothing to change.
            var generation = await Store.GetGenerationAsync(adventureId, None);
            await play.SetCursorAsync(adventureId, null);
            await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
            Assert.Equal(incremental, await play.SnapshotAsync(adventureId));
            Assert.Equal(generation, await Store.GetGenerationAsync(adventureId, None));
            Assert.NotNull(await Store.GetCursorAsync(adventureId, None));
        }
    }

    [Fact]
    public async Task a_sync_after_a_turn_reads_only_the_log_after_its_cursor_and_loads_only_the_turns_touched_there()
    {
        var play = new IndexPlay(Services, new Random(5));
        var adventureId = await play.CreateAsync(seededTurns: 1_200);
        var (log, logCalls) = Intercepted<IStoryLog>.Wrap(play.Log);
        var (store, storeCalls) = Intercepted<IMemoryStore>.Wrap(Store);
        var job = Job(null, log, store);
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        // the first sync reads everything: 1,201 turns, pages of 500
        Assert.Equal(3, logCalls.CallsTo(nameof(IStoryLog.ListTurnsAsync)).Count());
        var cursor = await Store.GetCursorAsync(adventureId, None);
        Assert.Equal(2_401, cursor?.Sequence);
        logCalls.Calls.Clear();
        storeCalls.Calls.Clear();

        var taken = await play.TakeTurnAsync(adventureId);
        var edited = "s7-" + adventureId;
        var undone = "s1200-" + adventureId;
        await play.AppendAsync(
            adventureId,
            new TurnEdited(edited, null, "The heron keeps the amber ring."),
            new TurnUndone(undone)
        );
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);

        Assert.Empty(logCalls.CallsTo(nameof(IStoryLog.ListTurnsAsync)));
        Assert.Empty(logCalls.CallsTo(nameof(IStoryLog.GetLastSequenceAsync)));
        var reads = logCalls.CallsTo(nameof(IStoryLog.ReadAsync)).ToArray();
        Assert.Single(reads);
        Assert.Equal(2_401L, reads[0][1]);
        Assert.Equal(
            new[] { edited, taken, undone }.Order(StringComparer.Ordinal),
            ((IReadOnlyList<string>)Assert.Single(storeCalls.CallsTo(nameof(IMemoryStore.GetTurnsAsync)))[1]!).Order(
                StringComparer.Ordinal
            )
        );
        // not the whole index either
        Assert.DoesNotContain(storeCalls.CallsTo(nameof(IMemoryStore.ListIndexedAsync)), a => a.Length == 2);
        Assert.Equal(await play.ExpectedAsync(adventureId, null), await play.SnapshotAsync(adventureId));
        Assert.Equal(2_405, (await Store.GetCursorAsync(adventureId, None))?.Sequence);

        // Nothing new in the log: one read of the tail, nothing written.
        var generation = await Store.GetGenerationAsync(adventureId, None);
        storeCalls.Calls.Clear();
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        Assert.DoesNotContain(storeCalls.Calls, c =>
            c.Method is nameof(IMemoryStore.GetTurnsAsync) or nameof(IMemoryStore.ApplyAsync)
        );
        Assert.Equal(generation, await Store.GetGenerationAsync(adventureId, None));
    }

    [Fact]
    public async Task a_sync_that_fails_before_its_write_leaves_index_and_cursor_as_they_were_and_the_next_catches_up()
    {
        var play = new IndexPlay(Services, new Random(11));
        var vectors = new HashEmbeddings();
        var job = Job(vectors);
        var adventureId = await play.CreateAsync();
        await play.PlayAsync(adventureId, 15);
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        var before = await play.SnapshotAsync(adventureId);
        var cursor = await Store.GetCursorAsync(adventureId, None);
        await play.PlayAsync(adventureId, 15);
        await play.TakeTurnAsync(adventureId);

        vectors.Fail = true;
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None)
        );
        Assert.Equal(before, await play.SnapshotAsync(adventureId));
        Assert.Equal(cursor, await Store.GetCursorAsync(adventureId, None));

        // The write itself fails, as a crash in the middle of the commit would: entries and cursor are one transaction.
        vectors.Fail = false;
        var (store, calls) = Intercepted<IMemoryStore>.Wrap(Store);
        calls.Before = (method, arguments) =>
            method.Name == nameof(IMemoryStore.ApplyAsync)
                ? Task.FromException<bool>(new IOException("The disk went away."))
                : null;
        await Assert.ThrowsAsync<IOException>(() =>
            Job(vectors, store: store).SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None)
        );
        Assert.Equal(before, await play.SnapshotAsync(adventureId));
        Assert.Equal(cursor, await Store.GetCursorAsync(adventureId, None));

        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        Assert.Equal(await play.ExpectedAsync(adventureId, vectors), await play.SnapshotAsync(adventureId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_index_whose_cursor_is_behind_it_or_missing_is_caught_up_by_the_next_sync(bool missing)
    {
        var play = new IndexPlay(Services, new Random(missing ? 21 : 22));
        var job = Job(null);
        var adventureId = await play.CreateAsync();
        await play.PlayAsync(adventureId, 20);
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        var earlier = (await Store.GetCursorAsync(adventureId, None))!.Sequence;
        await play.PlayAsync(adventureId, 20);
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        // As a crash between writing entries and moving a cursor kept apart from them would leave it, or an index from
        // before schema version 11 (no cursor at all).
        await play.SetCursorAsync(adventureId, missing ? null : earlier);
        await play.PlayAsync(adventureId, 10);

        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);

        Assert.Equal(await play.ExpectedAsync(adventureId, null), await play.SnapshotAsync(adventureId));
    }

    [Fact]
    public async Task a_sync_overtaken_by_another_writes_nothing_stale_and_starts_again_from_the_newer_cursor()
    {
        var play = new IndexPlay(Services, new Random(31));
        var job = Job(null);
        var adventureId = await play.CreateAsync();
        await play.PlayAsync(adventureId, 10);
        await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
        var taken = await play.TakeTurnAsync(adventureId);
        var (store, calls) = Intercepted<IMemoryStore>.Wrap(Store);
        var overtaken = false;
        calls.Before = (method, arguments) =>
        {
            if (method.Name != nameof(IMemoryStore.ApplyAsync) || overtaken)
            {
                return null;
            }
            overtaken = true;
            return OvertakeAsync(method, arguments);
        };

        await Job(null, store: store).SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);

        Assert.True(overtaken);
        Assert.Equal(2, calls.CallsTo(nameof(IMemoryStore.GetCursorAsync)).Count());
        var expected = await play.ExpectedAsync(adventureId, null);
        Assert.Contains(expected, row =>
            row.StartsWith(taken, StringComparison.Ordinal)
            && row.EndsWith("The tide took the oar.", StringComparison.Ordinal)
        );
        Assert.Equal(expected, await play.SnapshotAsync(adventureId));

        // While the first sync held the turn as it had read it, the turn was edited and another sync indexed the edit.
        async Task<bool> OvertakeAsync(MethodInfo method, object?[] arguments)
        {
            await play.AppendAsync(adventureId, new TurnEdited(taken, null, "The tide took the oar."));
            await job.SyncAsync(adventureId, IndexPlay.Owner, withVectors: true, None);
            var written = await (Task<bool>)method.Invoke(Store, arguments)!;
            Assert.False(written);
            return written;
        }
    }
}

public sealed class IncrementalIndexTests_Sqlite(TextMemorySqliteServer memory)
    : IncrementalIndexTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class IncrementalIndexTests_Postgres(TextMemoryPostgresServer memory)
    : IncrementalIndexTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
