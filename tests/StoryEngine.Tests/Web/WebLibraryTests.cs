using Microsoft.Playwright;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>The library pages through a long list twenty at a time, keeping the search and the tag on every
/// page.</summary>
public abstract class WebLibraryTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_long_library_pages_and_keeps_the_search_and_tag_filter_across_pages()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        var username = await WebSteps.SignUpAsync(page);
        var user = await server
            .Services.GetRequiredService<IUserStore>()
            .FindByUsernameAsync(username, CancellationToken.None);
        var worlds = server.Services.GetRequiredService<ResourceService<World>>();
        // 23 harbour worlds tagged "coast", 3 of them also matching a search; and 2 inland worlds without the tag.
        for (var i = 1; i <= 23; i++)
        {
            await worlds.CreateAsync(
                new(user!.Id, null),
                new World { Name = $"Harbour {i:00}" + (i % 10 == 0 || i == 23 ? " of bells" : ""), Tags = ["coast"] },
                CancellationToken.None
            );
        }
        for (var i = 1; i <= 2; i++)
        {
            await worlds.CreateAsync(
                new(user!.Id, null),
                new World { Name = $"Inland {i}", Tags = ["hills"] },
                CancellationToken.None
            );
        }

        var cards = page.Locator("ul.cards > li");
        await page.GotoAsync("/library?tag=coast");
        await Expect(cards).ToHaveCountAsync(20);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(cards).ToHaveCountAsync(3);
        await Expect(page.Locator("#tag")).ToHaveValueAsync("coast");
        await Expect(page.Locator("ul.cards")).Not.ToContainTextAsync("Inland");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);

        await page.GotoAsync("/library");
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("bells");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(cards).ToHaveCountAsync(3);
        await Expect(page.Locator("ul.cards")).ToContainTextAsync("Harbour 23 of bells");

        // A tag link on a card filters by that tag.
        await page.GotoAsync("/library?q=Inland");
        await page.GetByRole(AriaRole.Link, new() { Name = "hills" }).First.ClickAsync();
        await Expect(cards).ToHaveCountAsync(2);
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebLibraryTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebLibraryTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebLibraryTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebLibraryTests(server, browser),
        IClassFixture<BrowserFixture>;
