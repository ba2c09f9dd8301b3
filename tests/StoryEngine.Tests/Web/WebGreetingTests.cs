using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>Issue 17: the opening is swiped among a real card's greetings on the play page, without
/// JavaScript.</summary>
public abstract class WebGreetingTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task the_opening_can_be_swiped_among_the_cards_greetings_without_javascript()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Choral");
        await page.GotoAsync($"/worlds/{worldId}/import");
        await page.GetByLabel("Card file")
            .SetInputFilesAsync(SharedFixtures.Path("cards/choral_Default-chan_v3only.png"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what is in it" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save Default-chan to this world" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Default-chan");

        await WebSteps.StartAdventureAsync(page, worldId, "Default-chan");
        var opening = WebSteps.Turn(page, 0);
        await Expect(opening).ToContainTextAsync("Greeting 1 of 3");
        await opening.GetByRole(AriaRole.Button, new() { Name = "Next greeting" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 0)).ToContainTextAsync("Greeting 2 of 3");
        await Expect(WebSteps.Turn(page, 0)).ToContainTextAsync("virtual beanbag");
        await WebSteps.Turn(page, 0).GetByRole(AriaRole.Button, new() { Name = "Previous greeting" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 0)).ToContainTextAsync("Greeting 1 of 3");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebGreetingTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebGreetingTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebGreetingTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebGreetingTests(server, browser),
        IClassFixture<BrowserFixture>;
