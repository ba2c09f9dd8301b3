using Microsoft.Playwright;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Usage;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 6: "every failure shows a human sentence (from the API's problem) and what to do, never a blank page" — an
/// unknown address, a page that throws, a rate limit and a used-up quota, each in a real browser.
/// </summary>
public abstract class WebFailureTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task an_unknown_address_and_a_missing_world_say_so_and_offer_a_way_back()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var response = await page.GotoAsync("/no/such/page");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not found");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("There is no page at this address.");
        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("Check the address, or start again from " + "your library.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Back to your library" })).ToBeVisibleAsync();

        await WebSteps.SignUpAsync(page);
        response = await page.GotoAsync($"/worlds/{Guid.NewGuid()}");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No world with id");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Go back and pick it from the list.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_page_that_throws_shows_a_sentence_and_what_to_do_but_no_stack_trace()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignInAsAdminAsync(page, server);
        var response = await page.GotoAsync("/admin/audit"); // its audit log cannot be read on this server
        Assert.Equal(500, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Something went wrong");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The server failed to show this page.");
        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("if it keeps happening, tell the server's " + "administrator");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Back to your library" })).ToBeVisibleAsync();
        Assert.DoesNotContain("InvalidOperationException", await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_rate_limited_page_says_how_long_to_wait()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        await PutOnTierAsync(username, LimitsServer<SqliteServerFixture>.Hurried); // two pages a minute

        IResponse? response = null;
        for (var i = 0; i < 10 && response?.Status != 429; i++)
        {
            response = await page.GotoAsync("/library");
        }
        Assert.Equal(429, response!.Status);
        var seconds = await response.HeaderValueAsync("retry-after");
        Assert.NotNull(seconds);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Too many requests");
        // the API problem's sentence
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Slow down: try again in {seconds} seconds.");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wait that long, then reload the page");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_used_up_quota_in_the_play_view_says_when_it_resets_and_what_to_do()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Counted breaths");
        var adventureId = await WebSteps.StartAdventureAsync(page, worldId);
        await PutOnTierAsync(username, LimitsServer<SqliteServerFixture>.Sparing); // ten tokens a day
        var events = (await ServerUnderTest.EventTypesAsync(server, adventureId)).Length;

        await page.Locator("#text").FillAsync("I speak at length {{tokens:5}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var problem = page.GetByRole(AriaRole.Alert);
        await Expect(problem).ToContainTextAsync("Your daily token quota is used up: 0 of 10 tokens. It resets at");
        await Expect(problem).ToContainTextAsync("ask the server's administrator for a larger quota");
        // the action is kept to send later
        await Expect(page.Locator("#text")).ToHaveValueAsync("I speak at length {{tokens:5}}");
        await Expect(WebSteps.Turn(page, 1)).ToHaveCountAsync(0);
        // refused before anything was written
        Assert.Equal(events, (await ServerUnderTest.EventTypesAsync(server, adventureId)).Length);
        await page.Context.CloseAsync();
    }

    // Tiers are an admin's to set; the users page's own test sets them through the page, these through the core.
    private async Task PutOnTierAsync(string username, string tier)
    {
        using var scope = server.Services.CreateScope();
        var user = await scope
            .ServiceProvider.GetRequiredService<Core.Accounts.IUserStore>()
            .FindByUsernameAsync(username, CancellationToken.None);
        await scope
            .ServiceProvider.GetRequiredService<TierAdministration>()
            .SetTierAsync(null, user!.Id, tier, new RequestOrigin(null, null), CancellationToken.None);
    }
}

public sealed class WebFailureTests_Sqlite(SqliteLimitsServer limits, BrowserFixture browser)
    : WebFailureTests(limits.Server, browser),
        IClassFixture<SqliteLimitsServer>,
        IClassFixture<BrowserFixture>;

public sealed class WebFailureTests_Postgres(PostgresLimitsServer limits, BrowserFixture browser)
    : WebFailureTests(limits.Server, browser),
        IClassFixture<PostgresLimitsServer>,
        IClassFixture<BrowserFixture>;
