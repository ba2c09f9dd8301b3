using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// A world's documents in the browser (issue 20): add a Markdown bible from the world editor, find its passage by a
/// question, download it, move it to the trash and restore it; a file that is no document is refused with what to do
/// and nothing is added. Lorebook entries can be marked "vectorized" from the lorebook page.
/// </summary>
public abstract class WebDocumentsTests(ServerFixture server, BrowserFixture browser)
{
    private const string Bible = """
        # The Lantern Coast

        ## Harbour law

        No ship may leave the harbour of Saltmere after the ninth bell; the harbourmaster keeps the chain raised
        until dawn.

        ## Old gods

        The drowned bells are said to ring for sailors the sea has taken.
        """;

    [Fact]
    public async Task a_bible_is_added_found_by_a_question_downloaded_trashed_and_restored()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        await WebSteps.CreateWorldAsync(page, "Documents coast");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the documents" }).ClickAsync();
        await Expect(page.Locator("#documents-h ~ p.empty")).ToContainTextAsync("No documents yet");

        await page.GetByLabel("Document file")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "coast-bible.md",
                    MimeType = "text/markdown",
                    Buffer = System.Text.Encoding.UTF8.GetBytes(Bible),
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the document" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added coast-bible");
        var listed = page.Locator("#documents-h ~ ul.cards li");
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed).ToContainTextAsync("coast-bible");
        await Expect(listed).ToContainTextAsync("MARKDOWN");
        await Expect(listed).ToContainTextAsync("passages");

        await page.GetByLabel("Question or words").FillAsync("When does the harbour chain go up?");
        await page.Locator("section[aria-labelledby=search-h] button").ClickAsync();
        var first = page.Locator("#passages li").First;
        await Expect(first).ToContainTextAsync("coast-bible › The Lantern Coast › Harbour law");
        await Expect(first).ToContainTextAsync("ninth bell");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download coast-bible" }).ClickAsync()
        );
        Assert.Equal("coast-bible.md", download.SuggestedFilename);
        Assert.Equal(Bible, await File.ReadAllTextAsync(await download.PathAsync()));

        await page.GetByRole(AriaRole.Button, new() { Name = "Move coast-bible to trash" }).ClickAsync();
        await Expect(page.Locator("#documents-h ~ ul.cards li")).ToHaveCountAsync(0);
        await page.GetByLabel("Question or words").FillAsync("harbour chain");
        await page.Locator("section[aria-labelledby=search-h] button").ClickAsync();
        await Expect(page.Locator("#no-passages")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore coast-bible" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored coast-bible");
        await Expect(page.Locator("#documents-h ~ ul.cards li")).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_file_that_is_no_document_is_refused_with_what_to_do_and_nothing_is_added()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "No documents here");
        await page.GotoAsync($"/worlds/{worldId}/documents");
        await page.GetByLabel("Document file")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "photo.png",
                    MimeType = "image/png",
                    Buffer = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0],
                }
            );
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the document" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Markdown, HTML, PDF or EPUB");
        await Expect(page.Locator("#documents-h ~ ul.cards li")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_lore_entry_can_be_marked_to_fire_by_meaning()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        await WebSteps.CreateWorldAsync(page, "Vectorized coast");
        await page.GetByLabel("New lorebook").FillAsync("Coast lore");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create lorebook" }).ClickAsync();
        await page.Locator("summary", new() { HasText = "Add an entry" }).ClickAsync();
        await page.Locator("#new-entry-name").FillAsync("Harbour chain");
        await page.Locator("#new-entry-keys").FillAsync("chain");
        await page.Locator("#new-entry-content").FillAsync("The harbour chain rises at the ninth bell.");
        await page.Locator("#new-entry-vectorized").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add entry" }).ClickAsync();
        var entry = page.Locator("#entries-h + ul li").First;
        await Expect(entry).ToContainTextAsync("(by meaning too)");

        // Unticked again from the entry's own form.
        await entry.Locator("summary").ClickAsync();
        await entry.Locator("input[name=vectorized]").UncheckAsync();
        await entry.GetByRole(AriaRole.Button, new() { Name = "Save entry" }).ClickAsync();
        await Expect(page.Locator("#entries-h + ul li").First).Not.ToContainTextAsync("(by meaning too)");
        await page.Context.CloseAsync();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebDocumentsTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebDocumentsTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebDocumentsTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebDocumentsTests(server, browser),
        IClassFixture<BrowserFixture>;
