using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Evaluations in the browser (issue 22): a narration's scores show in its context inspector once the background job
/// has run, and admins see them summarised per backend and model.
/// </summary>
public abstract class WebEvaluationTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_narrations_evaluation_shows_in_the_inspector_and_in_the_admin_summary()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Evaluated coast");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I ring the harbour bell {{tokens:3}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part3");
        await ServerUnderTest.WaitAsync(server, adventureId, "turn.evaluate");

        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        var evaluation = page.Locator("#evaluation");
        await Expect(evaluation).ToContainTextAsync("heuristics-1");
        await Expect(evaluation.Locator("tbody tr")).ToHaveCountAsync(5);
        await Expect(evaluation).ToContainTextAsync("length");
        await Expect(evaluation).ToContainTextAsync("refusal");
        await page.Context.CloseAsync();

        var admin = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignInAsAdminAsync(admin, server);
        await admin.GotoAsync("/admin/evaluations");
        var table = admin.Locator("#evaluations");
        await Expect(table).ToContainTextAsync("heuristics-1");
        await Expect(table.Locator("thead")).ToContainTextAsync("repetition");
        await admin.GotoAsync("/admin/evaluations?days=0");
        await Expect(admin.GetByRole(AriaRole.Alert)).ToContainTextAsync("days must be from 1 to 90");
        await admin.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebEvaluationTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebEvaluationTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebEvaluationTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebEvaluationTests(server, browser),
        IClassFixture<BrowserFixture>;
