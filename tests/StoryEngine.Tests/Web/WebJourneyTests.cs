using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 6's journey in a real browser against the real server and the scripted backend: sign up, build a world,
/// import a card, play (streaming, retry, alternatives, undo, fork, the context inspector), sign out.
/// Both engines run it; screenshots are taken on SQLite only, so two runs never write the same file at once.
/// </summary>
public abstract class WebJourneyTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_player_builds_a_world_imports_a_card_plays_and_signs_out()
    {
        var page = await browser.OpenAsync(server.BaseAddress);

        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "The Lantern Coast");

        // World editor: setting, and a location inside another.
        await page.GetByLabel("Setting", new() { Exact = true })
            .FillAsync("A foggy coast where lighthouses keep " + "old promises.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save world" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the world");
        await AddLocationAsync(page, "Harbour", inside: null);
        await AddLocationAsync(page, "Lighthouse", inside: "Harbour");
        // nested under the harbour
        await Expect(page.Locator(".tree .tree").GetByText("Lighthouse", new() { Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "world-editor");

        // Import: the preview shows what the card holds before anything is saved.
        await page.GetByRole(AriaRole.Link, new() { Name = "Import a character card" }).ClickAsync();
        await page.GetByLabel("Card file").SetInputFilesAsync(SharedFixtures.Path("cards/st_default_Seraphina.png"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what is in it" }).ClickAsync();
        var preview = page.Locator("#preview");
        await Expect(preview).ToContainTextAsync("Seraphina");
        await Expect(preview).ToContainTextAsync("Greeting");
        await Expect(preview).ToContainTextAsync("Lorebook entries");
        await ScreenshotAsync(page, "import-preview");
        await page.GotoAsync($"/worlds/{worldId}");
        // nothing saved by looking
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Seraphina" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/worlds/{worldId}/import");
        await page.GetByLabel("Card file").SetInputFilesAsync(SharedFixtures.Path("cards/st_default_Seraphina.png"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what is in it" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save Seraphina to this world" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Seraphina");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "PNG" }).ClickAsync()
        );
        Assert.EndsWith(".png", download.SuggestedFilename, StringComparison.Ordinal);

        // Library: search and tag filter.
        await page.GotoAsync("/library?tag=coast");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "The Lantern Coast" })).ToBeVisibleAsync();
        await page.GotoAsync("/library?q=nothing-like-this");
        await Expect(page.Locator(".empty")).ToContainTextAsync("Nothing matches");
        await page.GotoAsync("/library");
        await ScreenshotAsync(page, "library");

        // An adventure with Seraphina opens with her greeting.
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId, "Seraphina");
        await Expect(page.Locator("#turn-0")).ToContainTextAsync("Seraphina");

        // A turn streams in: the live region fills while the stop button shows, then the stored turn replaces it.
        await page.Locator("#text").FillAsync("I light the lantern {{tokens:40}}{{delay:40}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator("#live .writing")).ToContainTextAsync("Narration of");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop the narrator" })).ToBeVisibleAsync();
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("role", "log");
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part40");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop the narrator" })).ToBeHiddenAsync();
        // WebWorldStateTests fills it
        await Expect(page.GetByRole(AriaRole.Complementary, new() { Name = "World state" })).ToBeVisibleAsync();
        // play.png is taken by WebWorldStateTests, where the world-state panel has something to show.

        // Retry makes a second version; flip back to the first.
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("Version 2 of 2");
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("Version 1 of 2");

        // A second turn, then undo it: it leaves the transcript.
        await page.Locator("#text").FillAsync("I climb the stairs {{tokens:3}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 2)).ToContainTextAsync("I climb the stairs");
        await WebSteps.Turn(page, 2).GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Took back turn 2");
        await Expect(WebSteps.Turn(page, 2)).ToHaveCountAsync(0);

        // The context inspector shows what the narrator was sent for turn 1.
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 }))
            .ToHaveTextAsync("What the narrator saw for turn 1");
        await Expect(page.Locator("main")).ToContainTextAsync("I light the lantern");
        // context-inspector.png is taken by WebLorebookTests, where lore fires and memories are recalled.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the story" }).ClickAsync();

        // Fork from turn 1: a new adventure with the same history; the original stays.
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Button, new() { Name = "Fork from here" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("(fork at turn 1)");
        Assert.DoesNotContain(adventureId, page.Url, StringComparison.Ordinal);
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("I light the lantern");
        await page.GotoAsync("/adventures");
        await Expect(page.Locator(".cards > li")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "adventures");

        // Sign out: the session ends and the pages ask for sign-in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("signed out");
        await page.GotoAsync("/library");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?ReturnUrl=%2Flibrary$"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task stop_keeps_the_narration_so_far()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "A slow sea");
        await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I wait {{tokens:400}}{{delay:40}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator("#live .writing")).ToContainTextAsync("part3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop the narrator" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("Stopped before the end.");
        await Expect(WebSteps.Turn(page, 1)).Not.ToContainTextAsync("part400");
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("Narration of");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_reload_mid_narration_re_attaches_and_a_failed_narration_says_what_to_do()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "A dropped line");
        await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I listen {{tokens:60}}{{delay:40}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator("#live .writing")).ToContainTextAsync("part2");

        // The connection goes away with the page; the new page finds the narration in flight and streams it on.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop the narrator" })).ToBeVisibleAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part60");
        Assert.Equal(1, await WebSteps.Turn(page, 1).Locator(".narration").GetByText("part59 part60").CountAsync());

        // A backend failure keeps the action and says so, with Retry at hand.
        await page.Locator("#text").FillAsync("I shout {{fail}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 2)).ToContainTextAsync("The narration failed");
        await Expect(WebSteps.Turn(page, 2)).ToContainTextAsync("I shout");
        await Expect(WebSteps.Turn(page, 2).GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();

        // And a refused move (nothing to say) shows the problem above the action box, keeping the page.
        await page.GetByLabel("Say", new() { Exact = true }).CheckAsync();
        await page.Locator("#text").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("text is required");
        await page.Context.CloseAsync();
    }

    private Task ScreenshotAsync(IPage page, string name) =>
        server.Engine == "sqlite" ? BrowserFixture.ScreenshotAsync(page, name) : Task.CompletedTask;

    private static async Task AddLocationAsync(IPage page, string name, string? inside)
    {
        await page.GetByText("Add a location").ClickAsync();
        await page.Locator("#new-location-name").FillAsync(name);
        if (inside is not null)
        {
            await page.Locator("#new-location-parent").SelectOptionAsync(new SelectOptionValue { Label = inside });
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Add location" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Added {name}");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebJourneyTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebJourneyTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebJourneyTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebJourneyTests(server, browser),
        IClassFixture<BrowserFixture>;
