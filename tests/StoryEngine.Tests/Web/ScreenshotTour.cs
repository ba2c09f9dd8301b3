using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>Runs only for scripts/refresh-screenshots.sh (which sets
/// <see cref="BrowserFixture.ScreenshotsDirVariable"/>): an ordinary test run skips it, so it never writes
/// docs/screenshots or spends the run's time on pictures.</summary>
public sealed class ScreenshotTourFactAttribute : FactAttribute
{
    public ScreenshotTourFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BrowserFixture.ScreenshotsDirVariable)))
        {
            Skip = "takes the README's screenshots: run scripts/refresh-screenshots.sh";
        }
    }
}

/// <summary>
/// The README's pictures (issue 18): the main pages at 1280 px and 360 px, light and dark, named
/// PAGE-WIDTH-THEME.png, with a small story in them so they show what playing looks like. The light 1280 px play view
/// is also the landing page's picture (wwwroot/screenshots/play.png; the script copies it).
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class ScreenshotTour(SqliteServerFixture server, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Greeting =
        "The lamp room smells of whale oil and salt. Maren sets down her logbook and *studies you* over her spectacles."
        + "\n\n> \"Nobody climbs these stairs after dark unless the sea sent them.\"\n\n"
        + "Below, the harbour bells answer the wind, **three times**, then fall silent.";

    private const string Reply =
        "Maren's eyes narrow at the wreck you describe. She unrolls a chart across the desk, pinning it with a brass "
        + "compass.\n\n\"The *Gull* went down off the Teeth a week ago,\" she says. \"If you saw her lights tonight, "
        + "then someone is wearing her name.\"\n\nThe great lens turns overhead, and for a moment the whole coast is "
        + "gold.";

    [ScreenshotTourFact]
    public async Task the_main_pages_at_two_widths_in_both_themes()
    {
        var setup = await browser.OpenAsync(server.BaseAddress);
        var admin = await WebSteps.SignInAsAdminAsync(setup, server);
        var api = admin.Client;
        var worldId = (
            await api.PostJsonAsync(
                "/api/v1/worlds",
                new
                {
                    name = "The Lantern Coast",
                    genre = "low fantasy",
                    setting = "A foggy coast where lighthouses keep old promises.",
                    tags = new[] { "mystery", "coast" },
                }
            )
        ).Id();
        await api.PostJsonAsync(
            "/api/v1/worlds",
            new
            {
                name = "Ashfall Court",
                genre = "intrigue",
                tags = new[] { "politics" },
            }
        );
        await api.PostJsonAsync(
            "/api/v1/worlds",
            new
            {
                name = "The Drowned Library",
                genre = "horror",
                tags = new[] { "mystery" },
            }
        );
        var characterId = (
            await api.PostJsonAsync(
                $"/api/v1/worlds/{worldId}/characters",
                new
                {
                    name = "Maren",
                    description = "The lighthouse keeper.",
                    firstMessage = Greeting,
                }
            )
        ).Id();
        var adventureId = (
            await api.PostJsonAsync(
                "/api/v1/adventures",
                new
                {
                    worldId,
                    characterIds = new[] { characterId },
                    title = "Lights off the Teeth",
                }
            )
        ).Id();
        await setup.GotoAsync($"/play/{adventureId}");
        await setup.Locator("#text").FillAsync("I tell her about the ship I saw burning lights off the Teeth.");
        await setup.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(setup, 1).Locator(".narration")).Not.ToBeEmptyAsync();
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract");
        await setup.GotoAsync($"/play/{adventureId}");
        await WebSteps.Turn(setup, 1).Locator("details.edit summary").ClickAsync();
        await setup.Locator("#nt-1").FillAsync(Reply);
        await setup.GetByRole(AriaRole.Button, new() { Name = "Save edit" }).ClickAsync();
        await Expect(WebSteps.Turn(setup, 1).Locator(".narration em")).ToHaveTextAsync("Gull");
        var cookies = await setup.Context.CookiesAsync();

        var pages = new (string Name, string Path, bool SignedIn)[]
        {
            ("landing", "/", false),
            ("home", "/", true),
            ("library", "/library", true),
            ("world-editor", $"/worlds/{worldId}", true),
            ("play", $"/play/{adventureId}", true),
        };
        foreach (var (width, height) in new[] { (1280, 800), (360, 740) })
        {
            foreach (var theme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                var page = await browser.OpenAsync(server.BaseAddress, width, height);
                await page.EmulateMediaAsync(new() { ColorScheme = theme });
                var signedInYet = false;
                foreach (var (name, path, signedIn) in pages) // the landing page first, before the sign-in's cookies
                {
                    if (signedIn && !signedInYet)
                    {
                        await page.Context.AddCookiesAsync(cookies.Select(Copy));
                        signedInYet = true;
                    }
                    await page.GotoAsync(path);
                    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                    var label = theme == ColorScheme.Dark ? "dark" : "light";
                    await BrowserFixture.ScreenshotAsync(page, $"{name}-{width}-{label}");
                }
                await page.Context.CloseAsync();
            }
        }
        await setup.Context.CloseAsync();
    }

    private static Cookie Copy(BrowserContextCookiesResult c) =>
        new()
        {
            Name = c.Name,
            Value = c.Value,
            Domain = c.Domain,
            Path = c.Path,
            HttpOnly = c.HttpOnly,
            Secure = c.Secure,
            SameSite = c.SameSite,
        };
}
