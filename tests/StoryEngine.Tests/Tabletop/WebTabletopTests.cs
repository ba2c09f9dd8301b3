using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Web;

namespace StoryEngine.Tests.Tabletop;

/// <summary>
/// Issue 23 in the web app, browser-free (the web cookie over plain HTTP): the play view's table panel answers the
/// narrator's marked check with one click, and the table page keeps a sheet and runs a fight with plain forms.
/// </summary>
public abstract class WebTabletopTests(ServerFixture server)
{
    private static async Task<HttpResponseMessage> PostAsync(
        CookieClient web,
        string page,
        string handler,
        Dictionary<string, string> fields
    )
    {
        fields["__RequestVerificationToken"] = await web.AntiforgeryTokenAsync(page);
        return await web.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task the_play_view_answers_a_marked_check_with_one_click()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        var turn = await AdventureTestData.TakeTurnAsync(account.Client, setup.AdventureId, "I climb the wall");
        await (
            await account.Client.PatchAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}",
                JsonContent.Create(new { narration = "The stones are wet. [[check: Athletics DC 10 | the wet wall]]" })
            )
        ).JsonAsync();
        using var web = await CookieClient.SignInAsync(server, account.Username);
        var play = $"/play/{setup.AdventureId}";
        var html = WebUtility.HtmlDecode(await (await web.GetAsync(play)).Content.ReadAsStringAsync());
        Assert.Contains("Roll Athletics (DC 10)", html, StringComparison.Ordinal);

        var table = await account.Client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/adventures/{setup.AdventureId}/tabletop"
        );
        var requestId = table.GetProperty("pendingChecks")[0].Str("requestId");
        var posted = await PostAsync(
            web,
            $"/play/{setup.AdventureId}/table",
            "Check",
            new() { ["requestId"] = requestId, ["Back"] = "play" }
        );
        // The panel's form posts to the table page, which sends the player back to the story.
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal($"/play/{setup.AdventureId}#tabletop", posted.Headers.Location!.OriginalString);
        var rolls = await account.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/rolls");
        Assert.Equal("Athletics", rolls.GetProperty("items")[0].GetProperty("check").Str("skill"));
        html = WebUtility.HtmlDecode(await (await web.GetAsync(play)).Content.ReadAsStringAsync());
        Assert.DoesNotContain("Roll Athletics (DC 10)", html, StringComparison.Ordinal);
        Assert.Contains("The player rolled Athletics: ", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_table_page_keeps_a_sheet_and_runs_a_fight_with_plain_forms()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        using var web = await CookieClient.SignInAsync(server, account.Username);
        var page = $"/play/{setup.AdventureId}/table";
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync(page)).StatusCode);

        var refused = await PostAsync(
            web,
            page,
            "Sheet",
            new()
            {
                ["Sheet.Name"] = "Ada",
                ["Sheet.Level"] = "25",
                ["Sheet.HpMax"] = "9",
                ["Sheet.HpCurrent"] = "9",
            }
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(
            "level must be from 1 to 20",
            WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()),
            StringComparison.Ordinal
        );

        var saved = await PostAsync(
            web,
            page,
            "Sheet",
            new()
            {
                ["Sheet.Name"] = "Ada",
                ["Sheet.Class"] = "rogue",
                ["Sheet.Level"] = "1",
                ["Sheet.Dex"] = "16",
                ["Sheet.Wis"] = "14",
                ["Sheet.Skills"] = "Stealth, perception",
                ["Sheet.HpCurrent"] = "9",
                ["Sheet.HpMax"] = "9",
                ["Sheet.ArmorClass"] = "14",
            }
        );
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var html = WebUtility.HtmlDecode(await (await web.GetAsync(page)).Content.ReadAsStringAsync());
        Assert.Contains("passive Perception 14", html, StringComparison.Ordinal);
        Assert.Contains("Stealth +5", html, StringComparison.Ordinal);

        Assert.Equal(
            HttpStatusCode.Redirect,
            (await PostAsync(web, page, "Combat", new() { ["combatants"] = "Ada, 15\nGoblin, 12, 7" })).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Redirect,
            (await PostAsync(web, page, "Act", new() { ["act"] = "next-turn" })).StatusCode
        );
        html = WebUtility.HtmlDecode(await (await web.GetAsync(page)).Content.ReadAsStringAsync());
        Assert.Contains("Round 1: Goblin's turn.", html, StringComparison.Ordinal);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebTabletopTests_Sqlite(SqliteServerFixture server) : WebTabletopTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WebTabletopTests_Postgres(PostgresServerFixture server) : WebTabletopTests(server);
