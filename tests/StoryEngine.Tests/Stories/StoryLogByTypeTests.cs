using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Stories;

/// <summary>
/// Reading the few events of one kind through the index by type (migration 0023) returns what the ordered read of the
/// log returns, in the log's order, after the same sequence and up to the same limit, on both engines.
/// </summary>
public abstract class StoryLogByTypeTests(ServerFixture server)
{
    [Fact]
    public async Task reading_few_events_by_type_agrees_with_reading_the_log_in_order()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        foreach (var move in new[] { "I climb to the lamp room", "I trim the wick", "I watch the bay" })
        {
            await AdventureTestData.TakeTurnAsync(account.Client, setup.AdventureId, move);
        }
        await BackgroundJobs.SettleAsync(account.Client, setup.AdventureId);
        var log = server.Services.GetRequiredService<IStoryLog>();
        string[] types = [nameof(ActionTaken), nameof(OpeningWritten), "NoSuchEvent"];

        var ordered = await log.ReadAsync(setup.AdventureId, 0, types, 100, CancellationToken.None);
        var few = await log.ReadFewAsync(setup.AdventureId, 0, types, 100, CancellationToken.None);
        var after = await log.ReadFewAsync(setup.AdventureId, ordered[1].Sequence, types, 1, CancellationToken.None);

        Assert.Equal(4, ordered.Count);
        Assert.Equal(ordered.Select(e => (e.Sequence, e.Type)), few.Select(e => (e.Sequence, e.Type)));
        Assert.Equal([ordered[2].Sequence], after.Select(e => e.Sequence));
        Assert.Empty(await log.ReadFewAsync(setup.AdventureId, 0, ["NoSuchEvent"], 10, CancellationToken.None));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class StoryLogByTypeTests_Sqlite(SqliteServerFixture server) : StoryLogByTypeTests(server);

[Collection(PostgresCollection.Name)]
public sealed class StoryLogByTypeTests_Postgres(PostgresServerFixture server) : StoryLogByTypeTests(server);
