using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 18, "nothing typed is lost": what the player is typing in the play box survives a reload until the move is
/// accepted, and is gone once it is.
/// </summary>
public abstract class WebDraftTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task the_play_box_keeps_a_draft_across_a_reload_until_the_move_is_sent()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Draft Coast");
        await WebSteps.StartAdventureAsync(page, worldId);
        var draft = "I unlatch the lamp room door {{tokens:2}}";
        await page.Locator("#text").FillAsync(draft);
        await page.ReloadAsync();
        await Expect(page.Locator("#text")).ToHaveValueAsync(draft);

        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part2");
        await page.ReloadAsync();
        await Expect(page.Locator("#text")).ToHaveValueAsync("");
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebDraftTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebDraftTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebDraftTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebDraftTests(server, browser),
        IClassFixture<BrowserFixture>;
