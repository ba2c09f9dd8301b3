using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 18: when the model backend is down, the player is told plainly what to do and sees nothing of the operator's
/// set-up (no address, no configuration key), while the admin's backends page shows exactly that.
/// </summary>
public sealed class WebBackendDownTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string DeadAddress = "127.0.0.1:9";
    private readonly SqliteServerFixture _server = new();

    public Task InitializeAsync()
    {
        // A closed port, so a developer's running backend cannot change the outcome.
        _server.ExtraSettings["Backends:scripted:BaseUrl"] = $"http://{DeadAddress}/v1";
        _server.ExtraSettings["Narrator:MaxRetries"] = "0";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task the_player_sees_what_to_do_and_the_admin_sees_the_address()
    {
        var page = await browser.OpenAsync(_server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "The Quiet Coast");
        await WebSteps.StartAdventureAsync(page, worldId);
        await page.Locator("#text").FillAsync("I call out into the fog");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Expect(page.Locator("main")).ToContainTextAsync("Try again in a minute");
        await Expect(page.Locator("main")).ToContainTextAsync("I call out into the fog"); // the action is kept
        var shown = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotContain(DeadAddress, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("Backends:", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("BaseUrl", shown, StringComparison.Ordinal);
        await page.Context.CloseAsync();

        var adminPage = await browser.OpenAsync(_server.BaseAddress);
        await WebSteps.SignInAsAdminAsync(adminPage, _server);
        await adminPage.GotoAsync("/admin/backends");
        await Expect(adminPage.Locator("main")).ToContainTextAsync(DeadAddress);
        await adminPage.Context.CloseAsync();
    }
}
