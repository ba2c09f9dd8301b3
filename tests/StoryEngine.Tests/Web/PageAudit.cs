using Microsoft.Playwright;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Runs page-audit.js (names, alt text, one h1, lang, unique ids, contrast, no meaning by colour alone) in the page
/// and returns its failures, each prefixed with the page's address (docs/accessibility.md lists what it checks).
/// </summary>
public static class PageAudit
{
    private static readonly Lazy<string> Script = new(() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Web", "page-audit.js"))
    );

    public static async Task<IReadOnlyList<string>> RunAsync(IPage page)
    {
        var failures = await page.EvaluateAsync<string[]>(Script.Value);
        var path = new Uri(page.Url).PathAndQuery;
        return failures.Select(f => $"{path}: {f}").ToArray();
    }
}
