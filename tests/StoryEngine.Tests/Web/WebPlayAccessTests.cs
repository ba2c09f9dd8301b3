using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The play and world pages keep to their owner, and the turn and trash operations a player leans on do what they
/// say: another player's signed-in browser can neither read nor correct a world state nor import into a world it
/// does not own; a turn's edit shows and survives a reload; a location moved to the trash comes back with restore.
/// </summary>
public abstract class WebPlayAccessTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task another_player_cannot_read_or_correct_the_world_state_or_import_lore_into_the_world()
    {
        var owner = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(owner);
        var worldId = await WebSteps.CreateWorldAsync(owner, "Mine alone");
        var adventureId = await WebSteps.StartAdventureAsync(owner, worldId);
        // nothing may change the state under the form
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract", atLeastOne: false);
        await ServerUnderTest.WaitAsync(server, adventureId, "turn.evaluate", atLeastOne: false);
        await owner.GotoAsync($"/play/{adventureId}/state");
        await owner.GetByLabel("Time of day").FillAsync("dawn");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync();
        await Expect(owner.Locator("#world-state")).ToContainTextAsync("dawn");
        var events = (await ServerUnderTest.EventTypesAsync(server, adventureId)).Length;

        var other = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(other);
        var page = await other.GotoAsync($"/play/{adventureId}/state");
        Assert.Equal(404, page!.Status);
        await Expect(other.GetByRole(AriaRole.Alert)).ToContainTextAsync("moved to the trash or never existed");
        Assert.Equal(404, (await other.GotoAsync($"/play/{adventureId}?handler=StatePanel"))!.Status);

        // A correction posted with the other player's own valid form, aimed at the owner's adventure.
        var otherWorld = await WebSteps.CreateWorldAsync(other, "Theirs");
        var otherAdventure = await WebSteps.StartAdventureAsync(other, otherWorld);
        await other.GotoAsync($"/play/{otherAdventure}/state");
        await other.EvaluateAsync(
            "id => document.getElementById('state-form').action = " + "`/play/${id}/state`",
            adventureId
        );
        await other.GetByLabel("Time of day").FillAsync("midnight");
        var correction = await other.RunAndWaitForResponseAsync(
            () => other.GetByRole(AriaRole.Button, new() { Name = "Save the corrections" }).ClickAsync(),
            r => r.Request.Method == "POST"
        );
        Assert.Equal(404, correction.Status);
        Assert.Equal(events, (await ServerUnderTest.EventTypesAsync(server, adventureId)).Length);

        // And a lorebook import aimed at the owner's world.
        await other.GotoAsync($"/worlds/{otherWorld}/lorebooks/import");
        await other.EvaluateAsync(
            "id => document.getElementById('import-form').action = " + "`/worlds/${id}/lorebooks/import`",
            worldId
        );
        await other.GetByLabel("Lorebook file").SetInputFilesAsync(SharedFixtures.Path("lorebooks/st_Eldoria.json"));
        var import = await other.RunAndWaitForResponseAsync(
            () => other.GetByRole(AriaRole.Button, new() { Name = "Import the lorebook" }).ClickAsync(),
            r => r.Request.Method == "POST"
        );
        Assert.Equal(404, import.Status);
        await owner.GotoAsync($"/worlds/{worldId}");
        await Expect(owner.Locator("#lorebooks-h ~ p.empty")).ToContainTextAsync("No lorebooks yet");
        await owner.GotoAsync($"/play/{adventureId}");
        await Expect(owner.Locator("#world-state")).ToContainTextAsync("dawn");
        await owner.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task a_turn_is_edited_and_a_location_in_the_trash_is_restored()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Second drafts");
        await page.GetByText("Add a location").ClickAsync();
        await page.Locator("#new-location-name").FillAsync("Boathouse");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add location" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added Boathouse");
        await page.Locator(".tree summary", new() { HasText = "Boathouse" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Move Boathouse to trash" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Moved the location to the trash");
        await Expect(page.Locator(".tree")).ToHaveCountAsync(0); // no locations left
        await Expect(page.Locator("section[aria-labelledby='trash-h']")).ToContainTextAsync("Boathouse (location)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore Boathouse" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored the location");
        await Expect(page.Locator(".tree")).ToContainTextAsync("Boathouse");
        await Expect(page.Locator("#trash-h ~ p.empty")).ToContainTextAsync("The trash is empty");

        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I row out {{tokens:3}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part3");
        await WebSteps.Turn(page, 1).Locator("summary").ClickAsync();
        await WebSteps.Turn(page, 1).GetByLabel("Narration").FillAsync("The oars dip into black water.");
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Button, new() { Name = "Save edit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved your edit");
        await page.GotoAsync($"/play/{adventureId}");
        await Expect(WebSteps.Turn(page, 1).Locator(".narration"))
            .ToHaveTextAsync(new Regex("^\\s*The oars dip " + "into black water.\\s*$"));
        Assert.Contains("TurnEdited", await ServerUnderTest.EventTypesAsync(server, adventureId));
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebPlayAccessTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebPlayAccessTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebPlayAccessTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebPlayAccessTests(server, browser),
        IClassFixture<BrowserFixture>;
