using Microsoft.Playwright;
using StoryEngine.Tests.Api;

namespace StoryEngine.Tests.Web;

/// <summary>
/// One headless Debian chromium for a test class, driven by Microsoft.Playwright without downloading a browser
/// (../shared/STACK.md). Each test opens its own context, so cookies never leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>How long any one wait may take; a journey step that needs longer is a bug, not a slow machine.</summary>
    public const float StepTimeoutMs = 15_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"The browser tests need Debian's chromium at {Chromium}: apt-get install chromium (scripts/test.sh does when root).");
        }
        Assertions.SetDefaultExpectTimeout(StepTimeoutMs);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) with one page, on the server under test.</summary>
    public async Task<IPage> OpenAsync(Uri baseAddress, int width = 1100, int height = 900, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = baseAddress.ToString().TrimEnd('/'),
            ViewportSize = new() { Width = width, Height = height },
            JavaScriptEnabled = javaScript,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(StepTimeoutMs);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a screenshot of the page into docs/screenshots, where the README and docs show them.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
