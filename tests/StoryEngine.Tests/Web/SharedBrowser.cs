using Microsoft.Playwright;

namespace StoryEngine.Tests.Web;

/// <summary>
/// One headless Debian chromium for the whole test run, driven by Microsoft.Playwright without downloading a browser
/// (../shared/STACK.md). Started by the first browser test that asks and closed when the test process exits: xunit 2
/// has no assembly fixture, and a class fixture would launch one browser per test class (about twenty a run).
/// Test classes still run in parallel; each test opens its own context, so nothing leaks between them.
/// </summary>
public static class SharedBrowser
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly Lazy<Task<Session>> Started = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>How many chromium processes this test run launched (one, unless the first start failed).</summary>
    public static int Launches { get; private set; }

    public static async Task<IBrowser> GetAsync() => (await Started.Value).Browser;

    private static async Task<Session> StartAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's chromium at {Chromium}: apt-get install chromium "
                    + "(scripts/test.sh does when root)."
            );
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(
            new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args =
                [
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            }
        );
        Launches++;
        var session = new Session(playwright, browser);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => session.Close();
        return session;
    }

    private sealed record Session(IPlaywright Playwright, IBrowser Browser)
    {
        // ProcessExit has no async form; wait a bounded time so a hung browser cannot hold the test run open.
        // Without this, chromium would still go when Playwright's driver sees our end of its pipe close.
        public void Close()
        {
            Task.Run(() => Browser.CloseAsync()).Wait(TimeSpan.FromSeconds(5));
            Playwright.Dispose();
        }
    }
}
