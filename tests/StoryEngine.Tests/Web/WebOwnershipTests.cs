using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.DataRights;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The web routes that take an adventure, world, character or lorebook id — pages, their export handlers and the
/// narration stream, none of them in the OpenAPI document the authorization matrix walks — keep to their owner
/// (docs/adr/0021): another signed-in account gets 404, exactly like an id that never existed, and an anonymous
/// visitor is sent to sign in. Browser-free: the web cookie over plain HTTP.
/// </summary>
public abstract class WebOwnershipTests(ServerFixture server)
{
    [Fact]
    public async Task pages_and_stream_of_someone_elses_adventure_or_world_answer_404_and_anonymous_visitors_sign_in()
    {
        using var owner = await server.CreateAccountAsync();
        var data = await OwnedData.CreateAsync(server, owner);
        var ids = await IdsAsync(owner.Client, data);
        using var ownerWeb = await CookieClient.SignInAsync(server, owner.Username);
        using var stranger = await server.CreateAccountAsync();
        using var strangerWeb = await CookieClient.SignInAsync(server, stranger.Username);
        using var anonymous = new CookieClient(server.BaseAddress);

        foreach (var (url, ownerSees) in Routes(data, ids))
        {
            var mine = await ownerWeb.GetAsync(url);
            Assert.True(
                ownerSees == mine.StatusCode,
                $"the owner's {url} is {mine.StatusCode}, not {ownerSees}: "
                    + $"the row tests nothing. {mine.Content.Headers.ContentType} "
                    + $"{await mine.Content.ReadAsStringAsync()}"
            );
            var other = await strangerWeb.GetAsync(url);
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"another account's {url}: {other.StatusCode}");
            var missing = await strangerWeb.GetAsync(
                url.Replace(data.AdventureId, Guid.NewGuid().ToString(), StringComparison.Ordinal)
                    .Replace(data.WorldId, Guid.NewGuid().ToString(), StringComparison.Ordinal)
            );
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode); // someone else's reads as never there
            var signedOut = await anonymous.GetAsync(url);
            Assert.True(
                signedOut.StatusCode == HttpStatusCode.Redirect
                    && signedOut.Headers.Location?.OriginalString.Contains("/signin", StringComparison.Ordinal) == true,
                $"an anonymous {url}: {signedOut.StatusCode} {signedOut.Headers.Location}"
            );
        }
    }

    [Fact]
    public async Task another_account_cannot_attach_to_a_narration_in_flight()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        using var ownerWeb = await CookieClient.SignInAsync(server, owner.Username);
        using var stranger = await server.CreateAccountAsync();
        using var strangerWeb = await CookieClient.SignInAsync(server, stranger.Username);
        var url = $"/play/{setup.AdventureId}/stream";
        // As the play page's EventSource asks: otherwise the answer is the finished turn as JSON.
        ownerWeb.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        strangerWeb.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");

        var turn = owner.Client.PostAsJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/turns",
            new { kind = "do", text = "I wait {{tokens:60}} {{delay:50}}" }
        );
        using var attached = await WaitForStreamAsync(ownerWeb, url);
        var other = await strangerWeb.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        // no narration tokens
        Assert.DoesNotContain("part", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        (await turn).EnsureSuccessStatusCode();
    }

    /// <summary>Every web GET that names the owner's things, with what the owner gets (the stream: its last turn, just
    /// finished).</summary>
    private static (string Url, HttpStatusCode OwnerSees)[] Routes(OwnedData data, Ids ids) =>
        [
            ($"/play/{data.AdventureId}", HttpStatusCode.OK),
            ($"/play/{data.AdventureId}?handler=StatePanel", HttpStatusCode.OK),
            ($"/play/{data.AdventureId}/state", HttpStatusCode.OK),
            ($"/play/{data.AdventureId}/goals", HttpStatusCode.OK),
            ($"/play/{data.AdventureId}/turns/{ids.TurnId}/context", HttpStatusCode.OK),
            ($"/play/{data.AdventureId}/stream", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/import", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/lorebooks/import", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/documents", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/documents?q=harbour", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/characters/{ids.CharacterId}", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/characters/{ids.CharacterId}?handler=Export", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/characters/{ids.CharacterId}?handler=Export&format=png", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/lorebooks/{ids.LorebookId}", HttpStatusCode.OK),
            ($"/worlds/{data.WorldId}/lorebooks/{ids.LorebookId}?handler=Export", HttpStatusCode.OK),
        ];

    private sealed record Ids(string TurnId, string CharacterId, string LorebookId);

    private static async Task<Ids> IdsAsync(HttpClient owner, OwnedData data)
    {
        var turns = await (await owner.GetAsync($"/api/v1/adventures/{data.AdventureId}/turns")).JsonAsync();
        var characters = await (await owner.GetAsync($"/api/v1/worlds/{data.WorldId}/characters")).JsonAsync();
        var lorebooks = await (await owner.GetAsync($"/api/v1/worlds/{data.WorldId}/lorebooks")).JsonAsync();
        return new Ids(
            turns.GetProperty("items")[0].Id(),
            characters.GetProperty("items")[0].Id(),
            lorebooks.GetProperty("items")[0].Id()
        );
    }

    private static async Task<HttpResponseMessage> WaitForStreamAsync(HttpClient client, string url)
    {
        var response = await Poll.UntilAsync(
            async () =>
            {
                var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    response.Dispose();
                    return null;
                }
                return response;
            },
            response => response is not null,
            _ => $"the owner's turn never showed on {url}",
            TimeSpan.FromSeconds(10)
        );
        Assert.True(
            "text/event-stream" == response!.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync()
        );
        return response;
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebOwnershipTests_Sqlite(SqliteServerFixture server) : WebOwnershipTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WebOwnershipTests_Postgres(PostgresServerFixture server) : WebOwnershipTests(server);
