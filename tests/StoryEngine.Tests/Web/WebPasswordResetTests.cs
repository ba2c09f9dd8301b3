using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// "Forgot password?" through the pages (issue 17): the sign-in page links to the request form, whose answer says
/// nothing about whether the account exists; the mail's link opens <c>/reset-password</c>, which refuses a weak
/// password and keeps the link usable, sets a good one, and the person signs in with it.
/// </summary>
public abstract class WebPasswordResetTests(ServerFixture server, BrowserFixture browser)
{
    private const string NewPassword = "a brand new lantern passphrase";

    [Fact]
    public async Task a_forgotten_password_is_reset_through_the_pages_and_the_new_one_signs_in()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        await WebSteps.SignOutAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot password?" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Forgot your password?");
        await page.GetByLabel("Username or email address").FillAsync(username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a link" }).ClickAsync();
        var answer = (await page.GetByRole(AriaRole.Status).InnerTextAsync()).Trim();
        Assert.Contains("If an account with that name or address has an email address", answer);
        // A name nobody has gets the same answer, word for word.
        await page.GotoAsync("/forgot-password");
        await page.GetByLabel("Username or email address").FillAsync(TestAccounts.NewName("ghost"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(answer);

        // The shared test servers send no mail: the operator's link (the same link the mail carries) stands in.
        var issued = await server
            .Services.GetRequiredService<PasswordResetService>()
            .IssueLinkAsync(username, CancellationToken.None);
        // Relative without PasswordReset:PublicUrl (on Linux a bare "/path" would parse as an absolute file: URI).
        var link = issued.Link.StartsWith('/') ? issued.Link : new Uri(issued.Link).PathAndQuery;
        Assert.StartsWith("/reset-password?token=", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await page.GetByLabel("New password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot be used");
        await page.GetByLabel("New password").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password is changed");

        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/library$"));

        // The link worked once.
        await page.GotoAsync(link);
        await page.GetByLabel("New password").FillAsync("yet another lantern passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("unknown, expired or already used");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_reset_page_without_a_token_says_where_to_ask_for_one()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await page.GotoAsync("/reset-password");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("missing its token");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ask for a new link" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebPasswordResetTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebPasswordResetTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebPasswordResetTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebPasswordResetTests(server, browser),
        IClassFixture<BrowserFixture>;
