using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 18's design in a real browser: story text is rendered Markdown that can never become markup (on the server
/// and in play.js's live rendering), the theme switch works with and without JavaScript and is remembered, dark pages
/// keep WCAG AA contrast, the install manifest and icons are served and linked, and the home continues a story.
/// </summary>
public abstract class WebDesignTests(ServerFixture server, BrowserFixture browser)
{
    private const string Greeting =
        "Maren *trims the wick* and looks up.\n"
        + "**Bright** as ever.\n\n"
        + "> Who goes there?\n\n"
        + "<script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\"> [a link](https://example.com)";

    [Fact]
    public async Task markdown_renders_in_a_narration_and_a_script_inside_it_stays_text()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var admin = await WebSteps.SignInAsAdminAsync(page, server);
        var worldId = (await admin.Client.PostJsonAsync("/api/v1/worlds", new { name = "Marked shores" })).Id();
        var characterId = (
            await admin.Client.PostJsonAsync(
                $"/api/v1/worlds/{worldId}/characters",
                new { name = "Maren", firstMessage = Greeting }
            )
        ).Id();
        var adventureId = (
            await admin.Client.PostJsonAsync(
                "/api/v1/adventures",
                new { worldId, characterIds = new[] { characterId } }
            )
        ).Id();

        await page.GotoAsync($"/play/{adventureId}");
        var narration = page.Locator(".turn .narration").First;
        await Expect(narration.Locator("em")).ToHaveTextAsync("trims the wick");
        await Expect(narration.Locator("strong")).ToHaveTextAsync("Bright");
        await Expect(narration.Locator("br")).ToHaveCountAsync(1); // a single newline is a line break
        await Expect(narration.Locator("blockquote")).ToHaveTextAsync("Who goes there?");
        await Expect(narration).ToContainTextAsync("<script>window.pwned = 1</script>");
        await Expect(narration).ToContainTextAsync("[a link](https://example.com)");
        await Expect(narration.Locator("script, img, a")).ToHaveCountAsync(0);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.pwned"));

        // play.js draws streamed text with story-text.js: the same subset, and markup stays text there too.
        var live = await page.EvaluateAsync<string[]>(
            """
            async text => {
              const { render } = await import("/static/story-text.js");
              const box = document.createElement("div");
              box.append(render(text));
              return [box.querySelector("em")?.textContent, box.querySelector("blockquote")?.textContent,
                String(box.querySelectorAll("script, img, a").length), box.textContent];
            }
            """,
            Greeting
        );
        Assert.Equal("trims the wick", live[0]);
        Assert.Equal("Who goes there?", live[1]);
        Assert.Equal("0", live[2]);
        Assert.Contains("<script>window.pwned = 1</script>", live[3]);
        await AssertAuditedAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_theme_switch_works_without_javascript_and_is_remembered()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await page.GotoAsync("/signin");
        await Expect(page.Locator("html")).Not.ToHaveAttributeAsync("data-theme", "dark");
        var light = await BodyBackgroundAsync(page);

        await page.GetByLabel("Theme").SelectOptionAsync("dark");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        Assert.NotEqual(light, await BodyBackgroundAsync(page));
        await AssertAuditedAsync(page);

        await page.GotoAsync("/signup"); // remembered on the next page
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(page.GetByLabel("Theme")).ToHaveValueAsync("dark");

        await page.GetByLabel("Theme").SelectOptionAsync("system");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.Locator("html")).Not.ToHaveAttributeAsync("data-theme", "dark");
        Assert.Equal(light, await BodyBackgroundAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_theme_switch_applies_at_once_with_javascript_and_dark_pages_keep_their_contrast()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Night harbour");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        var light = await BodyBackgroundAsync(page);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply" })).ToBeHiddenAsync();

        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;
        // The choice is posted in the background, so a new page opens dark too.
        var posted = await page.RunAndWaitForResponseAsync(
            () => page.GetByLabel("Theme").SelectOptionAsync("dark"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/theme", StringComparison.Ordinal)
        );
        Assert.Equal(204, posted.Status);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        Assert.NotEqual(light, await BodyBackgroundAsync(page));
        Assert.Equal(0, navigations); // no reload: the page switched by itself
        await AssertAuditedAsync(page);

        var next = await page.Context.NewPageAsync();
        await next.GotoAsync("/library");
        await Expect(next.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await AssertAuditedAsync(next);

        // With no choice made, the system's dark setting is followed.
        var fresh = await browser.OpenAsync(server.BaseAddress);
        await fresh.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await fresh.GotoAsync("/signin");
        Assert.Equal(await BodyBackgroundAsync(next), await BodyBackgroundAsync(fresh));
        await AssertAuditedAsync(fresh);
        await page.GotoAsync($"/play/{adventureId}");
        await AssertAuditedAsync(page);
        await page.Context.CloseAsync();
        await fresh.Context.CloseAsync();
    }

    [Fact]
    public async Task the_manifest_favicon_and_app_icons_are_served_and_linked_from_every_page()
    {
        using var http = server.CreateClient();
        using var manifest = await http.GetAsync("/manifest.webmanifest");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/manifest+json", manifest.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await manifest.Content.ReadAsStringAsync());
        Assert.Equal("/", json.RootElement.GetProperty("start_url").GetString());
        var icons = json.RootElement.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512");
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "192x192");
        foreach (var icon in icons)
        {
            using var got = await http.GetAsync(icon.GetProperty("src").GetString());
            Assert.Equal(HttpStatusCode.OK, got.StatusCode);
            Assert.Equal(icon.GetProperty("type").GetString(), got.Content.Headers.ContentType?.MediaType);
        }
        using var ico = await http.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, ico.StatusCode);

        var page = await browser.OpenAsync(server.BaseAddress);
        foreach (var path in new[] { "/", "/signin", "/signup", "/theme" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("link[rel=manifest]")).ToHaveAttributeAsync("href", "/manifest.webmanifest");
            await Expect(page.Locator("link[rel=icon][type='image/svg+xml']")).ToHaveCountAsync(1);
            await Expect(page.Locator("link[rel=icon][type='image/png']")).ToHaveCountAsync(1);
        }
        // The browser itself reads the manifest (the page's content security policy lets it).
        var fetched = await page.EvaluateAsync<int>("async () => (await fetch('/manifest.webmanifest')).status");
        Assert.Equal(200, fetched);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_landing_page_shows_play_and_the_home_continues_the_latest_adventure()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await page.GotoAsync("/");
        var shot = page.GetByRole(AriaRole.Img, new() { Name = "The play view" });
        await shot.ScrollIntoViewIfNeededAsync();
        await Expect(shot).ToBeVisibleAsync();
        Assert.True(await shot.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"));
        await AssertAuditedAsync(page);

        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Homeward");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Homeward" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/play/{adventureId}"));
        await page.Context.CloseAsync();
    }

    private static async Task AssertAuditedAsync(IPage page)
    {
        var failures = await PageAudit.RunAsync(page);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}

[Collection(SqliteCollection.Name)]
public sealed class WebDesignTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebDesignTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebDesignTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebDesignTests(server, browser),
        IClassFixture<BrowserFixture>;
