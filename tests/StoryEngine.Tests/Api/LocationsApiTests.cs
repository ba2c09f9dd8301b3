using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

public abstract class LocationsApiTests(ServerFixture server)
{
    [Fact]
    public async Task locations_nest_and_connect_within_their_world()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Map" })).Id();
        var town = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Town", description = "Busy" })
        ).Id();
        var inn = await client.PostJsonAsync(
            $"/api/v1/worlds/{world}/locations",
            new
            {
                name = "Inn",
                parentId = town,
                connections = new[] { new { locationId = town, description = "front door" } },
            }
        );

        Assert.Equal(world, inn.Str("worldId"));
        Assert.Equal(town, inn.Str("parentId"));
        var connection = Assert.Single(inn.GetProperty("connections").EnumerateArray());
        Assert.Equal(town, connection.Str("locationId"));
        Assert.Equal("front door", connection.Str("description"));

        var list = await (await client.GetAsync($"/api/v1/worlds/{world}/locations")).JsonAsync();
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task parent_and_connections_must_be_locations_of_the_same_world_without_loops()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "A" })).Id();
        var other = (await client.PostJsonAsync("/api/v1/worlds", new { name = "B" })).Id();
        var elsewhere = (await client.PostJsonAsync($"/api/v1/worlds/{other}/locations", new { name = "Far" })).Id();
        var top = (await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Top" })).Id();
        var middle = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Middle", parentId = top })
        ).Id();

        var foreignParent = await (
            await client.PostAsJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "X", parentId = elsewhere })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(foreignParent.GetProperty("errors").TryGetProperty("parentId", out _));

        var foreignConnection = await (
            await client.PostAsJsonAsync(
                $"/api/v1/worlds/{world}/locations",
                new { name = "X", connections = new[] { new { locationId = elsewhere } } }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(foreignConnection.GetProperty("errors").TryGetProperty("connections[0].locationId", out _));

        var loop = await (
            await client.PutAsJsonAsync(
                $"/api/v1/worlds/{world}/locations/{top}",
                new { name = "Top", parentId = middle }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(
            "loop",
            loop.GetProperty("errors").GetProperty("parentId")[0].GetString(),
            StringComparison.Ordinal
        );

        await (
            await client.PutAsJsonAsync($"/api/v1/worlds/{world}/locations/{top}", new { name = "Top", parentId = top })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task location_with_children_cannot_be_deleted_until_they_move()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        var parent = (await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Castle" })).Id();
        var child = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Keep", parentId = parent })
        ).Id();

        var conflict = await (
            await client.DeleteAsync($"/api/v1/worlds/{world}/locations/{parent}")
        ).AssertProblemAsync(HttpStatusCode.Conflict, "location_has_children");
        Assert.Contains("Keep", conflict.Str("detail"), StringComparison.Ordinal);

        var moved = await (
            await client.PatchAsync(
                $"/api/v1/worlds/{world}/locations/{child}",
                JsonContent.Create(new { parentId = (string?)null })
            )
        ).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, moved.GetProperty("parentId").ValueKind);
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/locations/{parent}")).StatusCode
        );
        var trash = await (await client.GetAsync($"/api/v1/worlds/{world}/locations/trash")).JsonAsync();
        Assert.Equal(parent, Assert.Single(trash.GetProperty("items").EnumerateArray()).Id());
    }

    [Fact]
    public async Task location_of_one_world_is_not_found_under_another()
    {
        using var client = await server.CreateUserClientAsync();
        var first = (await client.PostJsonAsync("/api/v1/worlds", new { name = "First" })).Id();
        var second = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Second" })).Id();
        var place = (await client.PostJsonAsync($"/api/v1/worlds/{first}/locations", new { name = "Here" })).Id();
        await (await client.GetAsync($"/api/v1/worlds/{second}/locations/{place}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LocationsApiTests_Sqlite(SqliteServerFixture server) : LocationsApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class LocationsApiTests_Postgres(PostgresServerFixture server) : LocationsApiTests(server);
