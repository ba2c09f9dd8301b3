using Dapper;
using StoryEngine.Core.Trash;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Each test gets a server of its own: the sweep is global, and other tests' trash must not matter.</summary>
public abstract class TrashPurgeTests
{
    protected abstract ServerFixture NewServer();

    [Fact]
    public async Task trash_is_kept_for_30_days_then_purged_with_the_contents_of_purged_worlds()
    {
        await using var server = new OwnedServer(NewServer());
        await server.Fixture.InitializeAsync();
        var fixture = server.Fixture;
        using var client = await fixture.CreateUserClientAsync();
        var doomed = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Doomed" })).Id();
        await client.PostJsonAsync($"/api/v1/worlds/{doomed}/characters", new { name = "Inside" });
        await client.PostJsonAsync($"/api/v1/worlds/{doomed}/locations", new { name = "Somewhere" });
        var kept = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Kept" })).Id();
        var keptCharacter = (
            await client.PostJsonAsync($"/api/v1/worlds/{kept}/characters", new { name = "Stays" })
        ).Id();
        var droppedCharacter = (
            await client.PostJsonAsync($"/api/v1/worlds/{kept}/characters", new { name = "Dropped" })
        ).Id();
        await client.DeleteAsync($"/api/v1/worlds/{doomed}");
        await client.DeleteAsync($"/api/v1/worlds/{kept}/characters/{droppedCharacter}");

        var job = fixture.Services.GetRequiredService<TrashPurgeJob>();
        fixture.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await job.ExecuteAsync(CancellationToken.None));
        Assert.Equal(
            1L,
            await CountAsync(
                fixture,
                "SELECT COUNT(*) FROM worlds WHERE id = @id AND deleted_at IS " + "NOT NULL",
                doomed
            )
        );

        fixture.Clock.Advance(TimeSpan.FromDays(2));
        // world, its character and location, the dropped character
        Assert.Equal(4, await job.ExecuteAsync(CancellationToken.None));

        Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM worlds WHERE id = @id", doomed));
        Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM characters WHERE parent_id = @id", doomed));
        Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM locations WHERE parent_id = @id", doomed));
        Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM characters WHERE id = @id", droppedCharacter));
        Assert.Equal(
            1L,
            await CountAsync(
                fixture,
                "SELECT COUNT(*) FROM characters WHERE id = @id AND deleted_at " + "IS NULL",
                keptCharacter
            )
        );
        Assert.Equal(
            1L,
            await CountAsync(fixture, "SELECT COUNT(*) FROM worlds WHERE id = @id AND deleted_at IS " + "NULL", kept)
        );
    }

    private static async Task<long> CountAsync(ServerFixture fixture, string sql, string id)
    {
        await using var connection = await fixture
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql, new { id });
    }

    private sealed class OwnedServer(ServerFixture fixture) : IAsyncDisposable
    {
        public ServerFixture Fixture { get; } = fixture;

        public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
    }
}

public sealed class TrashPurgeTests_Sqlite : TrashPurgeTests
{
    protected override ServerFixture NewServer() => new SqliteServerFixture();
}

public sealed class TrashPurgeTests_Postgres : TrashPurgeTests
{
    protected override ServerFixture NewServer() => new PostgresServerFixture();
}
