using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Core.Resources;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 18, "nothing typed is lost": a form refused for a bad field shows what was typed with the complaint beside
/// the field; a form refused because the thing was changed elsewhere since it was opened names the thing, keeps what
/// was typed and offers "Keep mine" (save it over the newest version) and "See theirs" (load the newest version).
/// Without JavaScript, as the pages must work that way.
/// </summary>
public abstract class WebFormsKeepTypingTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_refused_world_editor_keeps_the_typed_notes_and_shows_the_error_beside_the_field()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        await WebSteps.CreateWorldAsync(page, "Kept Harbour");
        await page.GetByLabel("Narrator notes (voice, person, tense, length)")
            .FillAsync("Second person, present tense.");
        await page.GetByLabel("Rules the narrator must keep").FillAsync("The sea takes what it is owed.");
        await page.GetByLabel("Tags (comma-separated)").FillAsync("coast, " + new string('x', Limits.Tag + 1));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save world" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot be used");
        await Expect(page.GetByLabel("Narrator notes (voice, person, tense, length)"))
            .ToHaveValueAsync("Second person, present tense.");
        await Expect(page.GetByLabel("Rules the narrator must keep"))
            .ToHaveValueAsync("The sea takes what it is owed.");
        var tags = page.GetByLabel("Tags (comma-separated)");
        await Expect(tags).ToHaveValueAsync(new Regex("^coast, x+$"));
        await Expect(tags).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(tags).ToHaveAttributeAsync("aria-describedby", "tags-error");
        await Expect(page.Locator("#tags-error")).ToContainTextAsync($"at most {Limits.Tag} characters");
        await Expect(page.Locator("#name")).Not.ToHaveAttributeAsync("aria-invalid", "true");

        // Corrected, it saves, and the notes typed before the refusal are the ones stored.
        await tags.FillAsync("coast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save world" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the world");
        await Expect(page.GetByLabel("Narrator notes (voice, person, tense, length)"))
            .ToHaveValueAsync("Second person, present tense.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_refused_new_persona_keeps_what_was_typed_and_names_the_field()
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        await WebSteps.SignUpAsync(page);
        await page.GotoAsync("/library?kind=personas");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Wren");
        await page.GetByLabel("Who you play").FillAsync("A lamplighter's apprentice who counts everything.");
        await page.GetByLabel("Tags (comma-separated)").FillAsync(new string('y', Limits.Tag + 1));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create persona" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot be used");
        await Expect(page.GetByLabel("Who you play"))
            .ToHaveValueAsync("A lamplighter's apprentice who counts everything.");
        await Expect(page.Locator("#persona-tags-error")).ToContainTextAsync($"at most {Limits.Tag} characters");
        await Expect(page.GetByLabel("Tags (comma-separated)")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task keep_mine_saves_the_typed_text_over_a_change_made_meanwhile()
    {
        var (page, api, path, url) = await CharacterOpenedAsync("Ada");
        await page.GetByLabel("Personality").FillAsync("Patient, and tired of the sea.");
        await ChangeBehindTheBackAsync(api, path, "Ada Lovelace", "Changed over the API.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save character" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("Ada Lovelace was changed by someone else since you opened it");
        await Expect(page.GetByLabel("Personality")).ToHaveValueAsync("Patient, and tired of the sea.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep mine" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the character");
        var stored = await (await api.GetAsync(path)).JsonAsync();
        Assert.Equal("Patient, and tired of the sea.", stored.Str("personality"));
        // Keep mine is what the form said, over the newest version: its name too.
        Assert.Equal("Ada", stored.Str("name"));
        Assert.Equal(url, page.Url.Split('?')[0]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task see_theirs_shows_the_change_made_meanwhile_and_stores_nothing_typed()
    {
        var (page, api, path, _) = await CharacterOpenedAsync("Bram");
        await page.GetByLabel("Personality").FillAsync("Typed, then dropped.");
        await ChangeBehindTheBackAsync(api, path, "Bram the Elder", "Their personality.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save character" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Bram the Elder was changed by someone else");

        await page.GetByRole(AriaRole.Link, new() { Name = "See theirs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Bram the Elder");
        await Expect(page.GetByLabel("Personality")).ToHaveValueAsync("Their personality.");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        var stored = await (await api.GetAsync(path)).JsonAsync();
        Assert.Equal("Their personality.", stored.Str("personality"));
        await page.Context.CloseAsync();
    }

    /// <summary>A new person with a world and a character, the character's editor open, and an API client of the same
    /// person.</summary>
    private async Task<(IPage Page, HttpClient Api, string Path, string Url)> CharacterOpenedAsync(string name)
    {
        var page = await browser.OpenAsync(server.BaseAddress, javaScript: false);
        var username = await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "Conflict Coast");
        await page.GetByText("Write a new character").ClickAsync();
        await page.Locator("#new-character-name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add character" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(name);
        var characterId = page.Url.Split('/')[^1];
        var account = await server.SignInAsync(username);
        return (page, account.Client, $"/api/v1/worlds/{worldId}/characters/{characterId}", page.Url);
    }

    private static async Task ChangeBehindTheBackAsync(HttpClient api, string path, string name, string personality)
    {
        var patch = new HttpRequestMessage(HttpMethod.Patch, path)
        {
            Content = new StringContent(
                System.Text.Json.JsonSerializer.Serialize(new { name, personality }),
                Encoding.UTF8,
                "application/merge-patch+json"
            ),
        };
        (await api.SendAsync(patch)).EnsureSuccessStatusCode();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebFormsKeepTypingTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebFormsKeepTypingTests(server, browser),
        IClassFixture<BrowserFixture>;

[Collection(PostgresCollection.Name)]
public sealed class WebFormsKeepTypingTests_Postgres(PostgresServerFixture server, BrowserFixture browser)
    : WebFormsKeepTypingTests(server, browser),
        IClassFixture<BrowserFixture>;
