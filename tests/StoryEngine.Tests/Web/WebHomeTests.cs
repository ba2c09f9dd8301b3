using System.Net;
using System.Text;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The signed-in home continues the adventures with the newest activity out of all of a person's adventures, not the
/// newest of the first page of the list (which is ordered by id and holds 200).
/// </summary>
public abstract class WebHomeTests(ServerFixture server)
{
    [Fact]
    public async Task the_home_continues_the_adventure_played_last_even_when_it_is_the_oldest_of_many()
    {
        using var account = await server.CreateAccountAsync();
        var api = account.Client;
        var world = (await api.PostJsonAsync("/api/v1/worlds", new { name = "Long Shelf" })).Id();
        var oldest = (await api.PostJsonAsync("/api/v1/adventures", new { worldId = world, title = "The first" })).Id();
        for (var i = 0; i < 200; i++)
        {
            await api.PostJsonAsync("/api/v1/adventures", new { worldId = world, title = $"Filler {i:D3}" });
        }
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/adventures/{oldest}")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { title = "The first, played again" }),
                Encoding.UTF8,
                "application/merge-patch+json"
            ),
        };
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(patch)).StatusCode);

        using var web = await CookieClient.SignInAsync(server, account.Username);
        var home = WebUtility.HtmlDecode(await web.GetStringAsync("/"));
        var continued = home.IndexOf("The first, played again", StringComparison.Ordinal);
        Assert.True(continued >= 0, "The adventure played last is not on the home page.");
        Assert.True(continued < home.IndexOf("Filler 199", StringComparison.Ordinal), "It is not the first one.");
        Assert.DoesNotContain("Filler 000", home, StringComparison.Ordinal); // only the newest four
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebHomeTests_Sqlite(SqliteServerFixture server) : WebHomeTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WebHomeTests_Postgres(PostgresServerFixture server) : WebHomeTests(server);
