using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Lorebooks in the browser: import a SillyTavern World Info file from the world editor, export it for other tools,
/// and see in the context inspector which entry fired (and on which key and turn), which was cut and why, and which
/// earlier turns recall weighed, with their text.
/// </summary>
public abstract class WebLorebookTests(ServerFixture server, BrowserFixture browser)
{
    // One entry that fires on "lantern", one that matches "fog" but never wins its 0% roll.
    private const string WorldInfo = """
        {
          "entries": {
            "0": { "uid": 0, "key": ["lantern"], "keysecondary": [], "comment": "Storm lanterns",
             "content": "The storm lanterns of the coast burn whale oil and never go out in rain.", "constant": false,
             "selective": true, "order": 100, "disable": false, "probability": 100 },
            "1": { "uid": 1, "key": ["fog"], "keysecondary": [], "comment": "The drowned bells",
             "content": "In the fog the drowned bells ring for the lost.", "constant": false, "selective": true,
             "order": 90, "disable": false, "probability": 0 }
          }
        }
        """;

    [Fact]
    public async Task a_world_info_file_imports_exports_and_its_lore_shows_in_the_context_inspector()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "The Lantern Coast");
        var file = Path.Combine(Path.GetTempPath(), "Coast lore " + Guid.NewGuid().ToString("N")[..6] + ".json");
        await File.WriteAllTextAsync(file, WorldInfo);
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Import a lorebook" }).ClickAsync();
            await page.GetByLabel("Lorebook file").SetInputFilesAsync(file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Import the lorebook" }).ClickAsync();
        }
        finally
        {
            File.Delete(file);
        }
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("with 2 entries");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Coast lore");
        // a World Info entry is known by its comment
        await Expect(page.Locator("#entries-h + ul")).ToContainTextAsync("Storm lanterns keys: lantern");
        await ScreenshotAsync(page, "lorebook-import");

        // Export for each tool; the NovelAI file is a .lorebook that reads back as one.
        var st = await DownloadAsync(page, "SillyTavern World Info");
        Assert.EndsWith(".json", st.Name, StringComparison.Ordinal);
        Assert.Equal(2, st.Json.RootElement.GetProperty("entries").EnumerateObject().Count());
        var card = await DownloadAsync(page, "V3 lorebook");
        Assert.Equal("lorebook_v3", card.Json.RootElement.GetProperty("spec").GetString());
        var novelAi = await DownloadAsync(page, "NovelAI");
        Assert.EndsWith(".lorebook", novelAi.Name, StringComparison.Ordinal);
        Assert.True(novelAi.Json.RootElement.TryGetProperty("lorebookVersion", out _));

        // Play a turn that names both keys, then a second that recalls the first.
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I raise the lantern into the fog {{tokens:4}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part4");
        await ServerUnderTest.WaitAsync(server, adventureId, "memory.index");
        await page.Locator("#text").FillAsync("The lantern flickers as I wait {{tokens:3}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 2)).ToContainTextAsync("part3");

        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        var fired = page.Locator("#lore-fired");
        await Expect(fired).ToContainTextAsync("Storm lanterns");
        await Expect(fired).ToContainTextAsync("key \u201clantern\u201d");
        await Expect(fired).ToContainTextAsync("this turn");
        var cut = page.Locator("#lore-cut");
        await Expect(cut).ToContainTextAsync("The drowned bells");
        await Expect(cut).ToContainTextAsync("probability");
        await Expect(cut).ToContainTextAsync("0% chance");
        await Expect(fired).Not.ToContainTextAsync("The drowned bells");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "On this page" }))
            .ToContainTextAsync("Lore (1 fired, 1 cut)");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the story" }).ClickAsync();
        await WebSteps.Turn(page, 2).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        var memories = page.Locator("#memories");
        await Expect(memories).ToContainTextAsync("Turn 1");
        await Expect(memories).ToContainTextAsync("I raise the lantern into the fog");
        await Expect(page.Locator("#memory")).ToContainTextAsync("Recall searched for: lantern");
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Lore \\(") }).ClickAsync();
        await ScreenshotAsync(page, "context-inspector");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_file_that_is_not_a_lorebook_is_refused_with_what_to_do_and_nothing_is_created()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "No lore here");
        await page.GotoAsync($"/worlds/{worldId}/lorebooks/import");
        await page.GetByLabel("Lorebook file")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "notes.json",
                    MimeType = "application/json",
                    Buffer = """{"hello":"world"}"""u8.ToArray(),
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Import the lorebook" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("not a lorebook we know");
        await Expect(alert).ToContainTextAsync("SillyTavern World Info JSON");
        await page.GotoAsync($"/worlds/{worldId}");
        await Expect(page.Locator("#lorebooks-h ~ ul li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#lorebooks-h ~ p.empty")).ToContainTextAsync("No lorebooks yet");
        await page.Context.CloseAsync();
    }

    private static async Task<(string Name, JsonDocument Json)> DownloadAsync(IPage page, string link)
    {
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = link }).ClickAsync()
        );
        var path = await download.PathAsync();
        return (download.SuggestedFilename, JsonDocument.Parse(await File.ReadAllBytesAsync(path)));
    }

    private Task ScreenshotAsync(IPage page, string name) =>
        server.Engine == "sqlite" ? BrowserFixture.ScreenshotAsync(page, name) : Task.CompletedTask;
}

[Collection(SqliteCollection.Name)]
public sealed class WebLorebookTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebLorebookTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebLorebookTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebLorebookTests(server, browser),
        IClassFixture<BrowserFixture>;
