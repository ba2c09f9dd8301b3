using System.Collections.Concurrent;
using Microsoft.Playwright;
using StoryEngine.Tests.Api;

namespace StoryEngine.Tests.Web;

/// <summary>
/// A browser test class's door to the <see cref="SharedBrowser"/>: the class fixture only fetches the one browser
/// of the run, and each test opens its own context, so cookies never leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = SharedBrowser.Chromium;

    /// <summary>How long any one wait may take; a journey step that needs longer is a bug, not a slow
    /// machine.</summary>
    public const float StepTimeoutMs = 15_000;

    /// <summary>Where <see cref="ScreenshotAsync"/> writes instead of the test results folder
    /// (scripts/refresh-screenshots.sh points it at docs/screenshots).</summary>
    public const string ScreenshotsDirVariable = "STORYENGINE_SCREENSHOTS_DIR";

    private readonly ConcurrentBag<IBrowserContext> _contexts = [];

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(StepTimeoutMs);
        Browser = await SharedBrowser.GetAsync();
    }

    /// <summary>A fresh browser context (its own cookies) with one page, on the server under test.</summary>
    public async Task<IPage> OpenAsync(Uri baseAddress, int width = 1100, int height = 900, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(
            new()
            {
                BaseURL = baseAddress.ToString().TrimEnd('/'),
                ViewportSize = new() { Width = width, Height = height },
                JavaScriptEnabled = javaScript,
                AcceptDownloads = true,
            }
        );
        context.SetDefaultTimeout(StepTimeoutMs);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Saves a screenshot of the page into TestResults/screenshots (git-ignored), never over the tracked
    /// docs/screenshots that the README shows: refreshing those is scripts/refresh-screenshots.sh.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable(ScreenshotsDirVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(ReadmeTests.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = false });
    }

    /// <summary>
    /// Closes the contexts this class's tests left open (as closing its own browser used to), so the run's one browser
    /// does not grow a page per test; the browser itself belongs to the run (<see cref="SharedBrowser"/>).
    /// </summary>
    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync(); // a no-op for a context the test closed itself
        }
    }
}
