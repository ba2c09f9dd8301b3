using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Generation;
using StoryEngine.Core.Presets;
using StoryEngine.Core.Resources;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 17 on the play page: memory, the author's note and generation settings set in a form without JavaScript
/// reach the narrator's next request; a number box holding a word is refused by name with everything typed kept; a
/// preset from the picker replaces the generation settings.
/// </summary>
public abstract class WebStorySettingsTests(ServerFixture server, BrowserFixture browser)
{
    private readonly string _marker = "settingsweb" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task settings_made_in_the_form_reach_the_narrator_and_a_preset_replaces_the_generation()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        var username = await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Settings Coast");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.GetByRole(AriaRole.Link, new() { Name = "Story settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Story settings");

        await page.GetByLabel("Memory").FillAsync("The keeper of the light is missing.");
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Keep it tense and short.");
        await page.GetByLabel("Depth (messages from the end)").FillAsync("1");
        await page.GetByLabel("Temperature").FillAsync("warm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("generation.temperature must be a number");
        // The complaint sits next to the field it is about, and the field says so to a screen reader.
        await Expect(page.Locator("#temperature-error")).ToContainTextAsync("generation.temperature must be a number");
        await Expect(page.GetByLabel("Temperature")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Temperature")).ToHaveAttributeAsync("aria-describedby", "temperature-error");
        await Expect(page.GetByLabel("Memory")).ToHaveValueAsync("The keeper of the light is missing.");
        await Expect(page.GetByLabel("Temperature")).ToHaveValueAsync("warm"); // what was typed is kept

        await page.GetByLabel("Temperature").FillAsync("0.35");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/play/{adventureId}$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the story settings");

        await page.Locator("#text").FillAsync($"I climb the stairs ({_marker}) {{{{tokens:2}}}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part2");
        var request = Assert.Single((await ScriptedBackend.InstanceAsync()).RequestsContaining(_marker));
        var messages = request["messages"]!.ToJsonString();
        Assert.Contains("The keeper of the light is missing.", messages, StringComparison.Ordinal);
        Assert.Contains("Keep it tense and short.", messages, StringComparison.Ordinal);
        Assert.Equal(0.35, request["temperature"]!.GetValue<double>());

        // A form filled before someone else saved is refused, naming the story, and keeps what was typed.
        await page.GotoAsync($"/play/{adventureId}/settings");
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync($"/play/{adventureId}/settings");
        await other.GetByLabel("Memory").FillAsync("The keeper of the light is missing. The boats are late.");
        await other.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Expect(other.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the story settings");
        await page.GetByLabel("Memory").FillAsync("Mine, typed meanwhile.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Settings Coast");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("was changed by someone else");
        await Expect(page.GetByLabel("Memory")).ToHaveValueAsync("Mine, typed meanwhile.");
        // "See theirs" drops what was typed for the settings as they are now.
        await page.GetByRole(AriaRole.Link, new() { Name = "See theirs" }).ClickAsync();
        await Expect(page.GetByLabel("Memory"))
            .ToHaveValueAsync("The keeper of the light is missing. The boats are late.");

        // A preset of the player's own, picked on the page, replaces the generation settings.
        var owner = await server.Services.GetRequiredService<IUserStore>().FindByUsernameAsync(username, default);
        await server
            .Services.GetRequiredService<ResourceService<Preset>>()
            .CreateAsync(
                new ResourceScope(owner!.Id, null),
                new Preset
                {
                    Name = "Cool and brief",
                    Generation = new GenerationSettings { Temperature = 0.2 },
                },
                default
            );
        await page.GotoAsync($"/play/{adventureId}/settings");
        await page.GetByLabel("Preset", new() { Exact = true })
            .SelectOptionAsync(new SelectOptionValue { Label = "Cool and brief" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply the preset" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Applied the preset 'Cool and brief'");
        await Expect(page.GetByLabel("Temperature")).ToHaveValueAsync("0.2");
        await Expect(page.GetByLabel("Memory"))
            .ToHaveValueAsync("The keeper of the light is missing. The boats are late.");
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebStorySettingsTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebStorySettingsTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebStorySettingsTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebStorySettingsTests(server, browser),
        IClassFixture<BrowserFixture>;
