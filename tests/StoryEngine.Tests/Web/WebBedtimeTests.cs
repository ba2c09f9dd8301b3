using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>Issue 25 in the browser: a parent asks for a story, it is written and voiced, and while it plays the
/// sentence being read is highlighted and moves on.</summary>
public abstract class WebBedtimeTests(ServerFixture server, BrowserFixture browser)
{
    private const string First = "Pip the rabbit found a lantern in the grass.";
    private const string Second = "It glowed softly, like a tiny moon.";

    [Fact]
    public async Task a_story_is_asked_for_written_played_and_its_sentences_light_up_as_they_are_read()
    {
        var page = await browser.OpenAsync(server.BaseAddress, width: 390, height: 844);
        await WebSteps.SignUpAsync(page);
        var theme = "a rabbit with a lantern " + Guid.NewGuid().ToString("N")[..8];
        (await ScriptedBackend.InstanceAsync()).ScriptStructured(
            "Theme: " + theme,
            JsonSerializer.Serialize(
                new
                {
                    storyTitle = "Pip's Lantern",
                    title = "The lantern",
                    text = $"{First} {Second} Pip carried it home.",
                }
            ),
            JsonSerializer.Serialize(
                new
                {
                    storyTitle = "",
                    title = "Home",
                    text = "Pip hung the lantern by the bed. Then Pip slept.",
                }
            )
        );

        await page.GotoAsync("/bedtime");
        await page.GetByLabel("Who is it for?").FillAsync("Ada");
        await page.GetByLabel("Age").SelectOptionAsync("5-7");
        await page.GetByLabel("What about?").FillAsync(theme);
        await page.GetByLabel("How long?").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Write the story" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/bedtime/[0-9a-f-]+$"));

        // The page follows the writing and voicing by itself until the story is ready.
        await Expect(page.Locator("#story-status")).ToContainTextAsync("Ready", new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pip's Lantern" })).ToBeVisibleAsync();
        await Expect(page.Locator("audio[data-chapter]")).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Button, new() { Name = "▶ Play the story" }).ClickAsync();
        var now = page.Locator(".sentence.now");
        await Expect(now).ToHaveTextAsync(First, new() { Timeout = 15_000 });
        await Expect(now).ToHaveTextAsync(Second, new() { Timeout = 15_000 });

        // Dark and sepia, and the library lists the story for its child.
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark" }).ClickAsync();
        await Expect(page.Locator("#story")).ToHaveAttributeAsync("data-look", "dark");
        await page.GotoAsync("/bedtime?child=ada");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Pip's Lantern" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebBedtimeTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebBedtimeTests(server, browser),
        IClassFixture<BrowserFixture>;
