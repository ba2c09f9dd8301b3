using Dapper;
using StoryEngine.Storage;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Stories;

/// <summary>
/// ADR 63: bookkeeping write sessions commit without waiting for the disk, ordinary ones still wait, and neither kind
/// leaks into the other's pool (a connection set to NORMAL must never serve an ordinary write).
/// </summary>
public abstract class BookkeepingWritesTests(ServerFixture server)
{
    [Fact]
    public async Task bookkeeping_sessions_do_not_wait_for_the_disk_and_ordinary_ones_still_do()
    {
        var provider = server.Services.GetRequiredService<IStorageProvider>();
        for (var round = 0; round < 3; round++) // pooled connections come back: each kind keeps its own setting
        {
            await using (var bookkeeping = await provider.OpenForBookkeepingAsync(CancellationToken.None))
            {
                Assert.Equal(Relaxed(provider), await SettingAsync(provider, bookkeeping));
            }
            await using (var ordinary = await provider.OpenForWriteAsync(CancellationToken.None))
            {
                Assert.Equal(Durable(provider), await SettingAsync(provider, ordinary));
            }
        }
    }

    [Fact]
    public async Task a_turns_bookkeeping_is_stored_and_read_back_like_any_other_write()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        var turn = await AdventureTestData.TakeTurnAsync(account.Client, setup.AdventureId, "I light the lamp");
        // The prompt report and the jobs were written through bookkeeping sessions; both read back.
        var context = await account.Client.GetAsync(
            $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context"
        );
        Assert.True(context.IsSuccessStatusCode, await context.Content.ReadAsStringAsync());
        Assert.NotEmpty(await BackgroundJobs.SettleAsync(account.Client, setup.AdventureId));
    }

    private static string Relaxed(IStorageProvider provider) => provider.Engine == "sqlite" ? "1" : "off";

    private static string Durable(IStorageProvider provider) => provider.Engine == "sqlite" ? "2" : "on";

    private static async Task<string> SettingAsync(IStorageProvider provider, WriteSession session) =>
        provider.Engine == "sqlite"
            ? (await session.Connection.ExecuteScalarAsync<long>("PRAGMA synchronous")).ToString(
                System.Globalization.CultureInfo.InvariantCulture
            )
            : (await session.Connection.ExecuteScalarAsync<string>("SHOW synchronous_commit"))!;
}

[Collection(SqliteCollection.Name)]
public sealed class BookkeepingWritesTests_Sqlite(SqliteServerFixture server) : BookkeepingWritesTests(server);

[Collection(PostgresCollection.Name)]
public sealed class BookkeepingWritesTests_Postgres(PostgresServerFixture server) : BookkeepingWritesTests(server);
