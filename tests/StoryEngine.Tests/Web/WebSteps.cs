using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>The steps journeys share, done the way a person does them: through the pages' labelled controls.</summary>
public static partial class WebSteps
{
    public static async Task<string> SignUpAsync(IPage page)
    {
        var username = TestAccounts.NewName("web");
        await page.GotoAsync("/signup");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(TestAccounts.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/library$"));
        return username;
    }

    /// <summary>Signs in through the sign-in form, with a two-factor or recovery code when one is given.</summary>
    public static async Task SignInAsync(IPage page, string username, string? twoFactorCode = null)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(TestAccounts.Password);
        if (twoFactorCode is not null)
        {
            await page.GetByLabel("Two-factor code").FillAsync(twoFactorCode);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Makes an admin (through the core: no page or API makes admins) and signs them in on the page.</summary>
    public static async Task<TestAccount> SignInAsAdminAsync(IPage page, ServerFixture server)
    {
        var admin = await server.CreateAccountAsync(admin: true);
        await SignInAsync(page, admin.Username);
        await Expect(page).ToHaveURLAsync(new Regex("/library$"));
        return admin;
    }

    public static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin$"));
    }

    /// <summary>Creates a world from the library and returns its id (the editor's address).</summary>
    public static async Task<string> CreateWorldAsync(IPage page, string name)
    {
        await page.GotoAsync("/library");
        await page.Locator("#world-name").FillAsync(name);
        await page.Locator("#world-genre").FillAsync("low fantasy");
        await page.Locator("#world-tags").FillAsync("mystery, coast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create world" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(WorldUrl());
        return WorldUrl().Match(page.Url).Groups[1].Value;
    }

    /// <summary>Starts an adventure in the world and returns its play view's id.</summary>
    public static async Task<string> StartAdventureAsync(IPage page, string worldId, string? character = null)
    {
        await page.GotoAsync($"/adventures/new?world={worldId}");
        if (character is not null)
        {
            await page.GetByLabel(character).CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Begin" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PlayUrl());
        return PlayUrl().Match(page.Url).Groups[1].Value;
    }

    public static ILocator Turn(IPage page, int number) => page.Locator($"#turn-{number}");

    [GeneratedRegex("/worlds/([0-9a-f-]{36})$")]
    public static partial Regex WorldUrl();

    [GeneratedRegex("/play/([0-9a-f-]{36})")]
    public static partial Regex PlayUrl();
}
