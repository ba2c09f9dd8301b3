using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// WCAG 2.1 AA as a test (issue 6's quality bar): every page of the web app, with something on it, passes
/// <see cref="PageAudit"/>: named controls and links, alt text, one h1, a language, unique ids, text contrast of
/// 4.5:1 (3:1 when large) against what is really behind it, control borders of 3:1, and no status shown by colour
/// alone. The sweep also takes the screenshots of the pages no journey stops on.
/// </summary>
public abstract class WebPageSweepTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task every_page_names_its_controls_has_one_heading_and_readable_contrast()
    {
        var failures = new List<string>();

        // Signed out: the sign-in and sign-up forms, and a refused sign-in with its problem shown.
        var anonymous = await browser.OpenAsync(server.BaseAddress);
        await AuditAsync(anonymous, "/signin", failures, "sign-in");
        await AuditAsync(anonymous, "/signup", failures, "sign-up");
        await AuditAsync(anonymous, "/forgot-password", failures, "forgot-password");
        await AuditAsync(anonymous, "/reset-password?token=x", failures, "reset-password");
        await anonymous.GotoAsync("/signin");
        await anonymous.GetByLabel("Username").FillAsync(TestAccounts.NewName("nobody"));
        await anonymous.GetByLabel("Password").FillAsync("not the password of anyone");
        await anonymous.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(anonymous.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        failures.AddRange(await PageAudit.RunAsync(anonymous));
        await anonymous.Context.CloseAsync();

        // An admin with a world that has a character, a lorebook and an adventure with a told turn and a failed one.
        var page = await browser.OpenAsync(server.BaseAddress);
        var admin = await WebSteps.SignInAsAdminAsync(page, server);
        var api = admin.Client;
        var worldId = (
            await api.PostJsonAsync("/api/v1/worlds", new { name = "Audited shores", tags = new[] { "coast" } })
        ).Id();
        var characterId = (
            await api.PostJsonAsync(
                $"/api/v1/worlds/{worldId}/characters",
                new
                {
                    name = "Maren",
                    description = "A lighthouse keeper.",
                    firstMessage = "Maren trims the wick.",
                }
            )
        ).Id();
        var lorebookId = (
            await api.PostJsonAsync(
                $"/api/v1/worlds/{worldId}/lorebooks",
                new
                {
                    name = "Shore lore",
                    entries = new[]
                    {
                        new
                        {
                            name = "Lamps",
                            keys = new[] { "lamp" },
                            content = "The lamps burn whale oil.",
                        },
                    },
                }
            )
        ).Id();
        var adventureId = (
            await api.PostJsonAsync("/api/v1/adventures", new { worldId, characterIds = new[] { characterId } })
        ).Id();
        await page.GotoAsync($"/play/{adventureId}");
        await page.Locator("#text").FillAsync("I light the lamp {{tokens:8}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part8");
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract");
        await page.Locator("#text").FillAsync("I shout {{fail}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 2)).ToContainTextAsync("The narration failed");

        foreach (var kind in new[] { "worlds", "characters", "personas" })
        {
            await AuditAsync(page, $"/library?kind={kind}", failures);
        }
        await AuditAsync(page, $"/worlds/{worldId}", failures);
        await AuditAsync(page, $"/worlds/{worldId}/characters/{characterId}", failures, "character-editor");
        // Pictures (ADR 38): the character has an avatar, the world none (its initials show).
        (
            await api.PutAsync(
                $"/api/v1/worlds/{worldId}/characters/{characterId}/avatar",
                TestPictures.Content(TestPictures.Make(300, 300), "image/png")
            )
        ).EnsureSuccessStatusCode();
        await AuditAsync(page, $"/picture/character/{characterId}?world={worldId}", failures);
        await AuditAsync(page, $"/picture/world/{worldId}", failures);
        await AuditAsync(page, $"/worlds/{worldId}/lorebooks/{lorebookId}", failures, "lorebook-editor");
        await AuditAsync(page, $"/worlds/{worldId}/lorebooks/import", failures);
        await AuditAsync(page, $"/worlds/{worldId}/documents", failures);
        await AuditAsync(page, $"/worlds/{worldId}/import", failures);
        await AuditAsync(page, "/adventures", failures);
        await AuditAsync(page, $"/adventures/new?world={worldId}", failures, "new-adventure");
        await AuditAsync(page, $"/play/{adventureId}", failures);
        await WebSteps.Turn(page, 1).GetByRole(AriaRole.Link, new() { Name = "What the narrator saw" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("What the narrator saw");
        failures.AddRange(await PageAudit.RunAsync(page));
        await AuditAsync(page, $"/play/{adventureId}/state", failures);
        await AuditAsync(page, $"/play/{adventureId}/goals", failures);
        await AuditAsync(page, $"/play/{adventureId}/table", failures); // issue 23
        // Bedtime stories (issue 25): the form and library, a voiced story's reading view, its printable page.
        var bedtimeTheme = "an audited owl " + Guid.NewGuid().ToString("N")[..8];
        (await ScriptedBackend.InstanceAsync()).ScriptStructured(
            "Theme: " + bedtimeTheme,
            """{"storyTitle":"The Audited Owl","title":"Night","text":"The owl blinked. The stars came out."}"""
        );
        var bedtimeId = (
            await api.PostJsonAsync(
                "/api/v1/bedtime-stories",
                new { ageBand = "5-7", theme = bedtimeTheme, minutes = 1 },
                System.Net.HttpStatusCode.Accepted
            )
        )
            .GetProperty("story")
            .Id();
        await Poll.UntilAsync(
            async () =>
                (await (await api.GetAsync($"/api/v1/bedtime-stories/{bedtimeId}")).JsonAsync()).Str("status")
                == "ready",
            "The audited bedtime story was not voiced."
        );
        await AuditAsync(page, "/bedtime", failures, "bedtime");
        await AuditAsync(page, $"/bedtime/{bedtimeId}", failures, "bedtime-story");
        await AuditAsync(page, $"/bedtime/{bedtimeId}/print", failures);
        await AuditAsync(page, "/account", failures, "account");
        await AuditAsync(page, "/account/two-factor", failures);
        await AuditAsync(page, "/account/api-keys", failures);
        await AuditAsync(page, "/account/usage", failures);
        await AuditAsync(page, "/admin/users", failures);
        await AuditAsync(page, "/admin/audit", failures, "admin-audit");
        await page.GotoAsync("/admin/backends");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check them now" }).ClickAsync();
        await Expect(page.Locator(".backend-state").First).ToContainTextAsync("Up");
        failures.AddRange(await PageAudit.RunAsync(page));
        await AuditAsync(page, "/forbidden", failures, expectedStatus: 403);
        await AuditAsync(page, "/no/page/here", failures, expectedStatus: 404);
        await page.Context.CloseAsync();

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task the_audit_catches_each_kind_of_failure_it_looks_for()
    {
        // Our stylesheet with markup that breaks each rule once, so a sweep that passes means something.
        var page = await browser.OpenAsync(server.BaseAddress);
        await page.GotoAsync("/signin");
        await page.EvaluateAsync(
            """
            () => {
              document.documentElement.removeAttribute("lang");
              document.querySelector("main").insertAdjacentHTML("beforeend", `
                <h1>A second heading</h1>
                <button type="button"></button><input id="unnamed"><a href="/library"></a>
                <img src="/static/none.png"><p id="unnamed">same id</p>
                <p id="faint">faint grey text</p><input id="pale" aria-label="pale box"><p class="status-dot"></p>`);
              // Styles set from script: the pages' content security policy refuses style attributes.
              document.getElementById("faint").style.color = "#9a958e";
              document.getElementById("pale").style.borderColor = "#e4e0da";
              Object.assign(document.querySelector(".status-dot").style, { background: "var(--bad)", width: "1rem",
               height: "1rem" });
            }
            """
        );
        var failures = string.Join('\n', await PageAudit.RunAsync(page));
        Assert.Contains("no lang attribute", failures, StringComparison.Ordinal);
        Assert.Contains("2 h1 headings", failures, StringComparison.Ordinal);
        Assert.Contains("<button> \"\" has no accessible name", failures, StringComparison.Ordinal);
        Assert.Contains("<input#unnamed> \"\" has no accessible name", failures, StringComparison.Ordinal);
        Assert.Contains("<a> \"\" has no accessible name", failures, StringComparison.Ordinal);
        Assert.Contains("<img> \"\" has no alt", failures, StringComparison.Ordinal);
        Assert.Contains("the id unnamed is used twice", failures, StringComparison.Ordinal);
        Assert.Contains("<p#faint> \"faint grey text\": text #9a958e on #fbf8f3", failures, StringComparison.Ordinal);
        Assert.Contains("<input#pale> \"\": border #e4e0da on #fbf8f3", failures, StringComparison.Ordinal);
        Assert.Contains("<p.status-dot> \"\" is marked by colour with no words", failures, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    private async Task AuditAsync(
        IPage page,
        string path,
        List<string> failures,
        string? screenshot = null,
        int expectedStatus = 200
    )
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(expectedStatus, response!.Status);
        failures.AddRange(await PageAudit.RunAsync(page));
        if (screenshot is not null && server.Engine == "sqlite")
        {
            await BrowserFixture.ScreenshotAsync(page, screenshot);
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebPageSweepTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebPageSweepTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebPageSweepTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebPageSweepTests(server, browser),
        IClassFixture<BrowserFixture>;
