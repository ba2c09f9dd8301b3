using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Pictures in the browser (issues 17, 18): an avatar and a cover uploaded through the pages' plain forms show, with
/// alt text, on the character page, the world's character list, the library and the play view; a character without
/// one shows its initials.
/// </summary>
public abstract class WebPicturesTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task uploaded_avatars_and_covers_show_with_alt_text_in_the_library_the_world_and_the_play_view()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var world = await WebSteps.CreateWorldAsync(page, "Analytical Isles");

        var ada = await AddCharacterAsync(page, world, "Ada Lovelace");
        await AddCharacterAsync(page, world, "Charles Babbage");

        // Upload through the character page's form (no script involved), and come back to the page.
        await page.GotoAsync($"/worlds/{world}/characters/{ada}");
        await page.Locator("summary", new() { HasText = "Add an avatar" }).ClickAsync();
        await page.Locator($"#picture-{ada}")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "ada.png",
                    MimeType = "image/png",
                    Buffer = TestPictures.Make(900, 600),
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload avatar" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/characters/{ada}$"));
        await ExpectShownAsync(page.GetByAltText("Avatar of Ada Lovelace"));

        // The world's character list, with a placeholder for the one without a picture; then a cover.
        await page.GotoAsync($"/worlds/{world}");
        await ExpectShownAsync(page.Locator("#characters-h ~ ul.cards").GetByAltText("Avatar of Ada Lovelace"));
        await Expect(page.Locator("#characters-h ~ ul.cards .portrait-none")).ToHaveTextAsync("CB");
        await page.Locator("summary", new() { HasText = "Add a cover" }).ClickAsync();
        await page.Locator($"#picture-{world}")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "isles.jpg",
                    MimeType = "image/jpeg",
                    Buffer = TestPictures.Make(1600, 800, SkiaSharp.SKEncodedImageFormat.Jpeg),
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload cover" }).ClickAsync();
        await ExpectShownAsync(page.GetByAltText("Cover of Analytical Isles"));

        await page.GotoAsync("/library");
        await ExpectShownAsync(page.Locator("ul.cards").GetByAltText("Cover of Analytical Isles"));
        await page.GotoAsync($"/library?kind=characters&world={world}");
        await ExpectShownAsync(page.Locator("ul.cards").GetByAltText("Avatar of Ada Lovelace"));

        // The play view names who is in the story, with their picture.
        await WebSteps.StartAdventureAsync(page, world, "Ada Lovelace");
        await ExpectShownAsync(page.Locator("ul.cast").GetByAltText("Avatar of Ada Lovelace"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_file_that_is_not_a_picture_is_refused_on_the_page_with_the_reason()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var world = await WebSteps.CreateWorldAsync(page, "Plain Isles");
        await page.GotoAsync($"/worlds/{world}");
        await page.Locator("summary", new() { HasText = "Add a cover" }).ClickAsync();
        await page.Locator($"#picture-{world}")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "notes.png",
                    MimeType = "image/png",
                    Buffer = "not a picture at all"u8.ToArray(),
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload cover" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("PNG, JPEG, WebP or GIF");
        await page.Context.CloseAsync();
    }

    /// <summary>Adds a character on the world page and returns its id (the editor goes to its page).</summary>
    private static async Task<string> AddCharacterAsync(IPage page, string world, string name)
    {
        await page.GotoAsync($"/worlds/{world}");
        await page.Locator("summary", new() { HasText = "Write a new character" }).ClickAsync();
        await page.Locator("#new-character-name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add character" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/worlds/{world}/characters/[0-9a-f-]{{36}}$"));
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    /// <summary>Visible, and actually loaded and decoded by the browser (not a broken image with alt text).</summary>
    private static async Task ExpectShownAsync(ILocator image)
    {
        await Expect(image).ToBeVisibleAsync();
        await image.ScrollIntoViewIfNeededAsync(); // pictures load lazily, when they come into view
        await Expect(image).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await image.EvaluateAsync<int>("i => i.naturalWidth") > 0);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebPicturesTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebPicturesTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebPicturesTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebPicturesTests(server, browser),
        IClassFixture<BrowserFixture>;
