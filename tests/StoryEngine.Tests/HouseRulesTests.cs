using StoryEngine.Tests.Api;

namespace StoryEngine.Tests;

/// <summary>
/// The house rules of issue 14 that a reviewer would otherwise check by eye: no C# line over the 120 columns that
/// .editorconfig sets (CSharpier formats to that width; comments and literals it cannot break are ours to wrap),
/// and an ADR index that names every decision page.
/// </summary>
public sealed class HouseRulesTests
{
    private const int MaxLineLength = 120;

    [Fact]
    public void no_csharp_line_is_longer_than_the_editorconfig_limit()
    {
        var root = ReadmeTests.RepositoryRoot();
        var tooLong = new List<string>();
        foreach (var folder in new[] { "src", "tests", "bench" })
        {
            foreach (
                var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories)
            )
            {
                var relative = Path.GetRelativePath(root, file);
                if (
                    relative.Contains(
                        $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}",
                        StringComparison.Ordinal
                    )
                    || relative.Contains(
                        $"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
                        StringComparison.Ordinal
                    )
                )
                {
                    continue;
                }
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].Length > MaxLineLength)
                    {
                        tooLong.Add($"{relative}:{i + 1} ({lines[i].Length} columns)");
                    }
                }
            }
        }
        Assert.True(
            tooLong.Count == 0,
            $"{tooLong.Count} lines are over {MaxLineLength} columns; run `dotnet csharpier format .` and wrap "
                + "what it cannot:\n"
                + string.Join("\n", tooLong.Take(50))
        );
    }

    [Fact]
    public void the_adr_index_lists_every_decision_page()
    {
        var folder = Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "adr");
        var index = File.ReadAllText(Path.Combine(folder, "README.md"));
        var missing = Directory
            .EnumerateFiles(folder, "0*.md")
            .Select(Path.GetFileName)
            .Where(name => !index.Contains($"({name})", StringComparison.Ordinal))
            .ToArray();
        Assert.True(missing.Length == 0, "docs/adr/README.md does not list: " + string.Join(", ", missing));
    }
}
