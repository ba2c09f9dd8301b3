using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Goals in the browser (issue 22): set a goal with tasks from the play page's goals panel, see it on the play page,
/// tick a task, abandon the goal and take it up again; a goal without a title is refused with what is wrong.
/// </summary>
public abstract class WebGoalsTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_goal_is_set_shown_beside_the_story_ticked_ended_and_taken_up_again()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Goal coast");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await Expect(page.Locator("#goals")).ToContainTextAsync("No goals yet");
        await page.GetByRole(AriaRole.Link, new() { Name = "Change the goals" }).ClickAsync();

        // Refused first: no title.
        await page.Locator("#goal-title").EvaluateAsync("e => e.removeAttribute('required')");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the goal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("title is required");

        await page.GetByLabel("Goal", new() { Exact = true }).FillAsync("The heist succeeds or fails");
        await page.GetByLabel("Settled by turn (optional)").FillAsync("40");
        await page.GetByLabel("Tasks or beats, one per line (optional)")
            .FillAsync("Case the vault\nRecruit a locksmith");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the goal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Set the goal The heist succeeds or fails");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark Case the vault done" }).ClickAsync();
        await Expect(page.Locator("#goal-list")).ToContainTextAsync("Case the vault: done");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the story" }).ClickAsync();
        var panel = page.Locator("#goals");
        await Expect(panel).ToContainTextAsync("The heist succeeds or fails (by turn 40)");
        await Expect(panel).ToContainTextAsync("Case the vault: done");
        await Expect(panel).ToContainTextAsync("Recruit a locksmith: open");

        await page.GotoAsync($"/play/{adventureId}/goals");
        await page.GetByRole(AriaRole.Button, new() { Name = "Abandon The heist succeeds or fails" }).ClickAsync();
        await Expect(page.Locator("#goal-list")).ToContainTextAsync("Abandoned");
        await page.GetByRole(AriaRole.Button, new() { Name = "Take up again The heist succeeds or fails" })
            .ClickAsync();
        await Expect(page.Locator("#goal-list")).ToContainTextAsync("Active");
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebGoalsTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebGoalsTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebGoalsTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebGoalsTests(server, browser),
        IClassFixture<BrowserFixture>;
