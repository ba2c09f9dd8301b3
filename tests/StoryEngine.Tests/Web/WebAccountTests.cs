using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Core.Audit;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The account pages of issue 6 in a real browser: two-factor sign-in turned on and used, an API key made on the page
/// that works against the API until it is revoked there, and the usage page after a turn.
/// </summary>
public abstract class WebAccountTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task two_factor_sign_in_is_turned_on_from_the_page_and_then_asked_for_at_sign_in()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        await page.GotoAsync("/account/two-factor");
        await Expect(page.Locator("#two-factor-status")).ToContainTextAsync("Off.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" }).ClickAsync();

        // The key is shown in groups of four, and as the otpauth:// link for apps that take one.
        var shown = (await page.Locator("#totp-secret").InnerTextAsync()).Trim();
        Assert.Matches(new Regex("^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$"), shown);
        var secret = shown.Replace(" ", "", StringComparison.Ordinal);
        await Expect(page.Locator("#otpauth-uri"))
            .ToContainTextAsync($"otpauth://totp/Story%20Engine:{username}?secret={secret}");
        // The QR code next to it holds exactly that link, read back off the screen.
        var qr = page.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" });
        Assert.Equal((await page.Locator("#otpauth-uri").InnerTextAsync()).Trim(), await QrImage.DecodeAsync(qr));
        await ScreenshotAsync(page, "two-factor-setup");

        // A wrong code is refused with a sentence, and the key stays on screen to try again.
        await page.GetByLabel("Code from the app").FillAsync(WrongCode(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not the current code of the authenticator");
        await Expect(page.Locator("#totp-secret")).ToHaveTextAsync(shown);

        await page.GetByLabel("Code from the app").FillAsync(CodeAt(secret, 0));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
        var codes = page.Locator("#recovery-codes li");
        await Expect(codes).ToHaveCountAsync(TwoFactorService.RecoveryCodeCount);
        var recovery = (await codes.First.InnerTextAsync()).Trim();
        await Expect(page.Locator("#two-factor-status")).ToContainTextAsync("On");
        await ScreenshotAsync(page, "two-factor-codes");
        await page.GotoAsync("/account/two-factor");
        await Expect(page.Locator("#recovery-codes")).ToHaveCountAsync(0); // shown once
        await Expect(page.Locator("#recovery-left")).ToContainTextAsync("10 of 10 recovery codes left");

        // The password alone no longer signs in; with the next code from the app it does.
        await WebSteps.SignOutAsync(page);
        await WebSteps.SignInAsync(page, username);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("signs in with two factors");
        await Expect(page.GetByRole(AriaRole.Alert)).Not.ToContainTextAsync("'code'"); // the API's wording stays there
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("in the two-factor box");
        await WebSteps.SignInAsync(page, username, CodeAt(secret, 1)); // the confirming code's step is spent
        await Expect(page).ToHaveURLAsync(new Regex("/library$"));

        // Turning it off needs the password and a code: a recovery code will do.
        await page.GotoAsync("/account/two-factor");
        await page.GetByLabel("Password").FillAsync(TestAccounts.Password);
        await page.GetByLabel("Code from the app, or a recovery code").FillAsync(recovery);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off two-factor sign-in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Two-factor sign-in is off");
        await Expect(page.Locator("#two-factor-status")).ToContainTextAsync("Off.");

        // Audited as the API path audits it, by the same service.
        var userId = (
            await server
                .Services.GetRequiredService<Core.Accounts.IUserStore>()
                .FindByUsernameAsync(username, CancellationToken.None)
        )!.Id;
        var actions = (await server.AuditOfAsync(userId)).Select(e => e.Action).ToArray();
        Assert.Contains(AuditActions.TwoFactorEnabled, actions);
        Assert.Contains(AuditActions.RecoveryCodeUsed, actions);
        Assert.Contains(AuditActions.TwoFactorDisabled, actions);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task an_api_key_made_on_the_page_works_against_the_api_until_it_is_revoked_there()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        await page.GotoAsync("/account/api-keys");
        // not offered to a non-admin
        await Expect(page.GetByLabel("admin", new() { Exact = false })).ToHaveCountAsync(0);
        await page.GetByLabel("Name").FillAsync("backup script");
        await page.GetByLabel("read: look at worlds").CheckAsync();
        await page.GetByLabel("Works until the end of")
            .FillAsync(server.Clock.GetUtcNow().AddDays(30).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var key = (await page.Locator("#new-key").InnerTextAsync()).Trim();
        Assert.StartsWith("se_", key, StringComparison.Ordinal);
        await Expect(page.Locator("#api-keys")).ToContainTextAsync("backup script");
        await ScreenshotAsync(page, "api-keys");

        using var script = server.CreateClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var me = await script.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(username, await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await script.PostAsync(
                    "/api/v1/worlds",
                    new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json")
                )
            ).StatusCode
        );

        // Shown once: the list has its prefix, never the key again.
        await page.GotoAsync("/account/api-keys");
        await Expect(page.Locator("#new-key")).ToHaveCountAsync(0);
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        // se_<public id>, the prefix
        await Expect(page.Locator("#api-keys")).ToContainTextAsync(string.Join('_', key.Split('_')[..2]));
        await Expect(page.Locator("#api-keys")).ToContainTextAsync("read");

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the key backup script" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is revoked");
        await Expect(page.Locator(".empty")).ToContainTextAsync("You have no API keys");
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_refused_api_key_says_why_and_keeps_what_was_typed()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        await page.GotoAsync("/account/api-keys");
        await page.GetByLabel("Name").FillAsync("no scopes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("scopes must name at least one of");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync("no scopes");
        await Expect(page.Locator("#new-key")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_usage_page_shows_the_turn_just_played_by_day_model_and_purpose()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Counted words");
        await page.GotoAsync("/account/usage");
        await Expect(page.Locator(".empty")).ToContainTextAsync("No model calls");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I count the coins {{tokens:7}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("part7");
        await ServerUnderTest.WaitAsync(server, adventureId, "state.extract"); // its model call is metered too

        await page.GotoAsync("/account/usage");
        await Expect(page.Locator("#tier")).ToHaveTextAsync("standard");
        await Expect(page.Locator("#quotas")).ToContainTextAsync("no limit");
        var today = server.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd");
        await Expect(page.Locator("#usage-by-day tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#usage-by-day tbody tr").First).ToContainTextAsync(today);
        await Expect(page.Locator("#usage-by-model")).ToContainTextAsync("scripted · scripted-1");
        await Expect(page.Locator("#usage-by-purpose")).ToContainTextAsync("narration");
        await Expect(page.Locator("#usage-by-purpose")).ToContainTextAsync("state");
        await ScreenshotAsync(page, "usage");

        // A range that ends before it starts is refused with a sentence; the quotas still show.
        await page.GotoAsync("/account/usage?from=2026-02-10&to=2026-02-01");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("to must not be before from");
        await Expect(page.Locator("#tier")).ToHaveTextAsync("standard");
        await page.Context.CloseAsync();
    }

    private string CodeAt(string secret, int stepsAhead) =>
        Totp.Code(Base32.Decode(secret)!, Totp.StepAt(server.Clock.GetUtcNow()) + stepsAhead);

    /// <summary>Six digits that are none of the codes the server would accept now (it allows one step either
    /// side).</summary>
    private string WrongCode(string secret) =>
        Enumerable
            .Range(0, 10)
            .Select(d => new string((char)('0' + d), 6))
            .First(c => !new[] { -1, 0, 1 }.Any(i => CodeAt(secret, i) == c));

    private Task ScreenshotAsync(IPage page, string name) =>
        server.Engine == "sqlite" ? BrowserFixture.ScreenshotAsync(page, name) : Task.CompletedTask;
}

[Collection(SqliteCollection.Name)]
public sealed class WebAccountTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebAccountTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebAccountTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebAccountTests(server, browser),
        IClassFixture<BrowserFixture>;
