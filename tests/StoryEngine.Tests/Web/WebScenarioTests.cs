using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Issue 24 in the browser: a writer builds a three-scene scenario in the editor without the API, sees what the checks
/// find, fixes it (a missing ending), and plays it by its choice buttons to the end.
/// </summary>
public abstract partial class WebScenarioTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task a_writer_builds_a_three_scene_scenario_fixes_a_finding_and_plays_it()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(page);
        var worldId = await WebSteps.CreateWorldAsync(page, "The Wide River");
        await page.GetByRole(AriaRole.Link, new() { Name = "Scenarios" }).ClickAsync();
        await page.GetByLabel("New scenario").FillAsync("The ferry");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create scenario" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(EditorUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("The ferry");

        foreach (var title in new[] { "The river", "The far bank" })
        {
            await page.GetByLabel("New scene").FillAsync(title);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add scene" }).ClickAsync();
            await Expect(page.Locator($"#scene-{Slug(title)}")).ToBeVisibleAsync();
        }
        await AddChoiceAsync(page, "start", "Take the ferry", "The river");
        await AddChoiceAsync(page, "the-river", "Step onto the far bank", "The far bank");

        // Nothing ends the story yet: the checks say so, and publishing waits.
        var findings = page.Locator("#findings");
        await Expect(findings.Locator("[data-kind=no_ending]")).ToBeVisibleAsync();
        await Expect(findings.Locator("[data-kind=dead_end]")).ToContainTextAsync("The far bank");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish" })).ToBeDisabledAsync();
        await Expect(page.Locator("svg.scenario-graph g.finding-warning")).ToHaveCountAsync(1);

        // Fix it: the far bank is an ending.
        await OpenAllAsync(page);
        var bank = page.Locator("#scene-the-far-bank");
        await bank.GetByLabel("Directions for the narrator").FillAsync("End on the ferryman's farewell.");
        await bank.GetByLabel("This scene is an ending").CheckAsync();
        await bank.GetByRole(AriaRole.Button, new() { Name = "Save scene" }).ClickAsync();
        await Expect(page.Locator("#no-findings")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("published");

        // Versions: the first save and the newest differ by the two scenes added.
        await page.GetByLabel("Compare version").FillAsync("1");
        await page.Locator("#to").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await Expect(page.Locator("#diff")).ToContainTextAsync("the-river");

        // Play it: each choice is a button; the last scene ends the story.
        await page.GetByRole(AriaRole.Button, new() { Name = "Play it" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(WebSteps.PlayUrl());
        var panel = page.Locator("#scenario");
        await Expect(panel.GetByRole(AriaRole.Heading)).ToContainTextAsync("Scene: Start");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Take the ferry" }).ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Heading)).ToContainTextAsync("Scene: The river");
        await Expect(WebSteps.Turn(page, 1)).ToContainTextAsync("Take the ferry");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Step onto the far bank" }).ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Heading)).ToContainTextAsync("Scene: The far bank");
        await Expect(page.Locator("#scenario-ended")).ToBeVisibleAsync();
        Assert.NotEmpty(worldId);
    }

    private static async Task AddChoiceAsync(IPage page, string from, string label, string to)
    {
        await OpenAllAsync(page);
        var scene = page.Locator($"#scene-{from}");
        await scene.Locator($"#nl-{from}").FillAsync(label);
        await scene.Locator($"#nt-{from}").SelectOptionAsync(new SelectOptionValue { Label = to });
        await scene.GetByRole(AriaRole.Button, new() { Name = "Add choice" }).ClickAsync();
        await Expect(page.Locator($"#scene-{from} [data-choice]")).ToHaveCountAsync(1);
    }

    // Scenes without findings start folded; the test opens them as a person would.
    private static Task OpenAllAsync(IPage page) =>
        page.EvaluateAsync("() => document.querySelectorAll('[data-scene] details').forEach(d => d.open = true)");

    private static string Slug(string title) => title.ToLowerInvariant().Replace(' ', '-');

    [GeneratedRegex("/worlds/[0-9a-f-]{36}/scenarios/[0-9a-f-]{36}$")]
    private static partial Regex EditorUrl();
}

[Collection(SqliteCollection.Name)]
public sealed class WebScenarioTests_Sqlite(SqliteServerFixture server, BrowserFixture browser)
    : WebScenarioTests(server, browser),
        IClassFixture<BrowserFixture>;
