using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class PersonasApiTests(ServerFixture server)
{
    [Fact]
    public async Task persona_belongs_to_the_player_not_to_a_world()
    {
        using var client = await server.CreateUserClientAsync();
        var created = await client.PostJsonAsync(
            "/api/v1/personas",
            new
            {
                name = "Wren",
                description = "A cartographer",
                tags = new[] { "traveller" },
            }
        );
        var id = created.Id();
        Assert.False(created.TryGetProperty("worldId", out _));

        var patched = await (
            await client.PatchAsync(
                $"/api/v1/personas/{id}",
                JsonContent.Create(new { description = "A tired cartographer" })
            )
        ).JsonAsync();
        Assert.Equal("Wren", patched.Str("name"));
        Assert.Equal("A tired cartographer", patched.Str("description"));

        using var other = await server.CreateUserClientAsync();
        await (await other.GetAsync($"/api/v1/personas/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/personas/{id}")).StatusCode);
        Assert.Equal(
            id,
            Assert
                .Single(
                    (await (await client.GetAsync("/api/v1/personas/trash")).JsonAsync())
                        .GetProperty("items")
                        .EnumerateArray()
                )
                .Id()
        );
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/personas/{id}/restore", null)).StatusCode);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PersonasApiTests_Sqlite(SqliteServerFixture server) : PersonasApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PersonasApiTests_Postgres(PostgresServerFixture server) : PersonasApiTests(server);
