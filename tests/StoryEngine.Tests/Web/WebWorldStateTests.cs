using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The play view's world-state panel and its corrections, in a real browser: the utility model (the scripted backend's
/// structured answer for a marker in the action) reports what a turn changed, a background job records it, and the
/// panel shows it without a reload; the player corrects it with a form that works without JavaScript, recorded as an
/// event.
/// </summary>
public abstract class WebWorldStateTests(ServerFixture server, BrowserFixture browser)
{
    private readonly string _marker = "wsweb" + Guid.NewGuid().ToString("N")[..10];

    private static string Change(string? timeOfDay, string[] newCharacters, object[] characters, object[] quests) =>
        JsonSerializer.Serialize(
            new
            {
                timeOfDay,
                newCharacters,
                characters,
                quests,
            }
        );

    private static object Character(
        string name,
        string? location = null,
        string? health = null,
        string[]? addItems = null,
        string[]? addConditions = null,
        object[]? relationships = null
    ) =>
        new
        {
            name,
            location,
            health,
            addConditions = addConditions ?? [],
            removeConditions = Array.Empty<string>(),
            addItems = addItems ?? [],
            removeItems = Array.Empty<string>(),
            relationships = relationships ?? [],
        };

    private async Task ScriptLighthouseAsync(string marker) =>
        (await ScriptedBackend.InstanceAsync()).ScriptStructured(
            marker,
            Change(
                "dusk",
                ["Maren", "Old Tom"],
                [
                    Character(
                        "Maren",
                        "the lighthouse",
                        addItems: ["brass key", "storm lantern"],
                        addConditions: ["soaked"],
                        relationships: [new { with = "Old Tom", attitude = "distrusts" }]
                    ),
                    Character("Old Tom", "the pier", health: "limping"),
                ],
                [
                    new
                    {
                        name = "Find the keeper",
                        status = "active",
                        notes = (string?)"The light went out.",
                    },
                ]
            )
        );

    [Fact]
    public async Task the_panel_shows_what_a_turn_changed_once_it_has_been_read()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "The Lantern Coast");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        var panel = page.Locator("#world-state");
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = "World state" })).ToBeVisibleAsync();
        await Expect(panel).ToContainTextAsync("Nothing is tracked yet");

        await ScriptLighthouseAsync(_marker);
        await page.Locator("#text")
            .FillAsync($"I climb to the lighthouse ({_marker}) " + $"{{{{tokens:30}}}}{{{{delay:20}}}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part30");

        // The state job runs after the narration; the panel asks again until it is done, with no reload.
        await ServerUnderTest.ExplainingAsync(server, adventureId, () =>
            Expect(panel).ToContainTextAsync("the lighthouse")
        );
        await Expect(panel).ToContainTextAsync("brass key, storm lantern");
        await Expect(panel).ToContainTextAsync("toward Old Tom: distrusts");
        await Expect(panel).ToContainTextAsync("limping");
        await Expect(panel).ToContainTextAsync("Find the keeper (Active): The light went out.");
        await Expect(panel).ToContainTextAsync("dusk");
        await Expect(panel.Locator("[data-pending='true']")).ToHaveCountAsync(0);
        await Expect(panel).ToHaveAttributeAsync("data-pending", "false");
        await ScreenshotAsync(page, "play");

        // Refresh fetches only the panel and keeps focus on it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh the world state" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Refresh the world state" })).ToBeFocusedAsync();
        await Expect(panel).ToContainTextAsync("brass key");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_player_corrects_the_state_without_javascript_and_the_correction_is_an_event()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Corrections");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await ScriptLighthouseAsync(_marker);
        await page.Locator("#text").FillAsync($"I climb to the lighthouse ({_marker}) {{{{tokens:4}}}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part4");
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract");

        // Without JavaScript the panel's Refresh loads the page again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh the world state" }).ClickAsync();
        await Expect(page.Locator("#world-state")).ToContainTextAsync("brass key");
        await page.GetByRole(AriaRole.Link, new() { Name = "Correct the world state" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Correct the world state");

        var maren = page.GetByRole(AriaRole.Group, new() { Name = "Maren", Exact = true });
        await maren.GetByLabel("Where they are").FillAsync("the lamp room");
        await maren.GetByLabel("Carrying").FillAsync("brass key\nstorm lantern\na keeper's logbook");
        await page.GetByLabel("Remove Old Tom from the state").CheckAsync();
        await maren.GetByLabel("Feelings toward others").FillAsync(""); // Old Tom leaves, so nobody to feel about
        await page.GetByLabel("Time of day").FillAsync("midnight");
        var newQuest = page.GetByRole(AriaRole.Group, new() { Name = "Add a quest" });
        await newQuest.GetByLabel("Name").FillAsync("Relight the lamp");
        await newQuest.GetByLabel("Notes").FillAsync("Oil is in the cellar.");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(page, "world-state");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/play/{adventureId}#world-state$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Corrected the world state");
        var panel = page.Locator("#world-state");
        await Expect(panel).ToContainTextAsync("the lamp room");
        await Expect(panel).ToContainTextAsync("brass key, storm lantern, a keeper's logbook");
        await Expect(panel).ToContainTextAsync("midnight");
        await Expect(panel).ToContainTextAsync("Relight the lamp (Active): Oil is in the cellar.");
        await Expect(panel).Not.ToContainTextAsync("Old Tom");
        Assert.Contains("StateCorrected", await ServerUnderTest.EventTypesAsync(server, adventureId));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_correction_that_cannot_be_used_changes_nothing_and_keeps_what_was_typed()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Bad corrections");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await ScriptLighthouseAsync(_marker);
        await page.Locator("#text").FillAsync($"I climb ({_marker}) {{{{tokens:3}}}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract");
        // The narration's evaluation appends its own event; it must have landed before the count.
        await ServerUnderTest.WaitAsync(server, adventureId, "turn.evaluate");
        var eventsBefore = (await ServerUnderTest.EventTypesAsync(server, adventureId)).Length;

        // A feeling toward someone the state does not know, and one without "Name:".
        await page.GotoAsync($"/play/{adventureId}/state");
        var maren = page.GetByRole(AriaRole.Group, new() { Name = "Maren", Exact = true });
        await maren.GetByLabel("Feelings toward others").FillAsync("The Harbourmaster: owes a debt to");
        await maren.GetByLabel("Where they are").FillAsync("the cellar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("'The Harbourmaster' is not another " + "character in this state");
        await Expect(maren.GetByLabel("Where they are")).ToHaveValueAsync("the cellar"); // what was typed is kept
        await maren.GetByLabel("Feelings toward others").FillAsync("just grumpy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("write each feeling as 'Name: how they feel'");

        // A form filled before the state changed is refused, so it cannot undo the newer state.
        await page.GotoAsync($"/play/{adventureId}/state");
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync($"/play/{adventureId}/state");
        await other.GetByLabel("Time of day").FillAsync("dawn");
        await other.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();
        await Expect(other.GetByRole(AriaRole.Status)).ToContainTextAsync("Corrected the world state");
        await page.GetByLabel("Time of day").FillAsync("noon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("was changed by someone else");
        await Expect(page.GetByLabel("Time of day")).ToHaveValueAsync("noon"); // what was typed is kept

        var events = await ServerUnderTest.EventTypesAsync(server, adventureId);
        Assert.Equal(eventsBefore + 1, events.Length); // only the other page's correction
        await page.GotoAsync($"/play/{adventureId}");
        await Expect(page.Locator("#world-state")).ToContainTextAsync("dawn");
        await Expect(page.Locator("#world-state")).ToContainTextAsync("the lighthouse");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_panel_the_corrections_and_the_inspector_fit_a_360_pixel_wide_screen()
    {
        var page = await browser.OpenAsync(server.BaseAddress, width: 360, height: 740);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Narrow state");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await ScriptLighthouseAsync(_marker);
        await page.Locator("#text").FillAsync($"I climb to the lighthouse ({_marker}) {{{{tokens:3}}}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await ServerUnderTest.ExplainingAsync(server, adventureId, () =>
            Expect(page.Locator("#world-state")).ToContainTextAsync("toward Old Tom: distrusts")
        );
        await AssertNoSidewaysScrollAsync(page);
        await page.GotoAsync($"/play/{adventureId}/state");
        await AssertNoSidewaysScrollAsync(page);
        await page.GotoAsync($"/play/{adventureId}");
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("turn 1");
        await AssertNoSidewaysScrollAsync(page);
        await page.Context.CloseAsync();
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        var (scroll, client) = (
            await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
            await page.EvaluateAsync<int>("() => document.documentElement.clientWidth")
        );
        Assert.True(scroll <= client, $"{page.Url} is {scroll} px wide on a {client} px screen.");
    }

    private Task ScreenshotAsync(IPage page, string name) =>
        server.Engine == "sqlite" ? BrowserFixture.ScreenshotAsync(page, name) : Task.CompletedTask;
}

[Collection(SqliteCollection.Name)]
public sealed class WebWorldStateTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebWorldStateTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebWorldStateTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebWorldStateTests(server, browser),
        IClassFixture<BrowserFixture>;
