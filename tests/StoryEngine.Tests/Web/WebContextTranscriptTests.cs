using System.Net;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 19: the context inspector page says where the transcript starts and what its next trim will drop.
/// Browser-free: the web cookie over plain HTTP, reading the page's HTML.
/// </summary>
public abstract class WebContextTranscriptTests(ServerFixture server)
{
    [Fact]
    public async Task the_inspector_page_shows_where_the_transcript_starts_and_its_next_trim()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        var turn = await AdventureTestData.TakeTurnAsync(account.Client, setup.AdventureId, "I knock.");
        using var web = await CookieClient.SignInAsync(server, account.Username);

        var page = await web.GetAsync($"/play/{setup.AdventureId}/turns/{turn.Id()}/context");
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("starts at the beginning; about ", html, StringComparison.Ordinal);
        Assert.Matches(
            "Next trim: the oldest 1 turn \\(up to turn 0\\) will be dropped when the transcript passes [0-9]+ tokens, "
                + "leaving at most [0-9]+\\.",
            html
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebContextTranscriptTests_Sqlite(SqliteServerFixture server) : WebContextTranscriptTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WebContextTranscriptTests_Postgres(PostgresServerFixture server)
    : WebContextTranscriptTests(server);
