using System.Net.Http.Headers;
using Dapper;
using StoryEngine.Core.Trash;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>The trash sweep takes lorebooks, characters' own books, card files and pictures with what they belong
/// to. A server per test: the sweep is global.</summary>
public abstract class LorePurgeTests
{
    protected abstract ServerFixture NewServer();

    [Fact]
    public async Task purged_worlds_and_characters_take_their_books_and_files_with_them()
    {
        var fixture = NewServer();
        await fixture.InitializeAsync();
        try
        {
            using var client = await fixture.CreateUserClientAsync();
            var doomed = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Doomed" })).Id();
            var doomedBook = (
                await client.PostJsonAsync($"/api/v1/worlds/{doomed}/lorebooks", new { name = "Doomed lore" })
            ).Id();
            (
                await client.PutAsync(
                    $"/api/v1/worlds/{doomed}/cover",
                    TestPictures.Content(TestPictures.Make(20, 10), "image/png")
                )
            ).EnsureSuccessStatusCode();
            var kept = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Kept" })).Id();
            var keptBook = (
                await client.PostJsonAsync($"/api/v1/worlds/{kept}/lorebooks", new { name = "Kept lore" })
            ).Id();
            var dropped = await ImportAsync(client, kept, "cards/st_default_Seraphina.png");
            var stays = await ImportAsync(client, kept, "cards/stcontent_Assistant_Sakana.png");
            await client.DeleteAsync($"/api/v1/worlds/{doomed}");
            await client.DeleteAsync($"/api/v1/worlds/{kept}/characters/{dropped}");
            Assert.Equal(
                1L,
                await CountAsync(fixture, "SELECT COUNT(*) FROM character_files WHERE character_id = " + "@id", dropped)
            );

            fixture.Clock.Advance(TimeSpan.FromDays(31));
            await fixture.Services.GetRequiredService<TrashPurgeJob>().ExecuteAsync(CancellationToken.None);

            Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM lorebooks WHERE id = @id", doomedBook));
            Assert.Equal(
                0L,
                await CountAsync(fixture, "SELECT COUNT(*) FROM character_lorebooks WHERE id = " + "@id", dropped)
            );
            Assert.Equal(
                0L,
                await CountAsync(fixture, "SELECT COUNT(*) FROM character_files WHERE character_id = " + "@id", dropped)
            );
            // Pictures go with what they belong to (ADR 38): the world's cover and the character's avatar.
            Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM images WHERE subject_id = @id", doomed));
            Assert.Equal(0L, await CountAsync(fixture, "SELECT COUNT(*) FROM images WHERE subject_id = @id", dropped));
            Assert.Equal(1L, await CountAsync(fixture, "SELECT COUNT(*) FROM images WHERE subject_id = @id", stays));
            Assert.Equal(1L, await CountAsync(fixture, "SELECT COUNT(*) FROM lorebooks WHERE id = @id", keptBook));
            Assert.Equal(
                1L,
                await CountAsync(fixture, "SELECT COUNT(*) FROM character_lorebooks WHERE id = " + "@id", stays)
            );
            Assert.Equal(
                1L,
                await CountAsync(fixture, "SELECT COUNT(*) FROM character_files WHERE character_id = " + "@id", stays)
            );
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<string> ImportAsync(HttpClient client, string world, string fixture)
    {
        using var content = new ByteArrayContent(SharedFixtures.Read(fixture));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var imported = await (await client.PostAsync($"/api/v1/worlds/{world}/characters/import", content)).JsonAsync(
            System.Net.HttpStatusCode.Created
        );
        return imported.GetProperty("character").Id();
    }

    private static async Task<long> CountAsync(ServerFixture fixture, string sql, string id)
    {
        await using var connection = await fixture
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql, new { id });
    }
}

public sealed class LorePurgeTests_Sqlite : LorePurgeTests
{
    protected override ServerFixture NewServer() => new SqliteServerFixture();
}

public sealed class LorePurgeTests_Postgres : LorePurgeTests
{
    protected override ServerFixture NewServer() => new PostgresServerFixture();
}
