namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Real files from other tools in <c>../shared/fixtures</c> beside the repository (../shared/fixtures/SOURCES.md).
/// The repository root is found by walking up from the test assembly to the folder holding <c>.git</c> or the
/// solution, so the tests work from any build output folder and in a worktree.
/// </summary>
public static class SharedFixtures
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Folder => Root.Value;

    public static string Path(string relative) => System.IO.Path.Combine(Folder, relative);

    public static byte[] Read(string relative) => File.ReadAllBytes(Path(relative));

    /// <summary>Every file of one fixture folder (cards, lorebooks), by name relative to the fixtures folder.</summary>
    public static IReadOnlyList<string> In(string folder) =>
        Directory
            .GetFiles(Path(folder))
            .Select(f => $"{folder}/{System.IO.Path.GetFileName(f)}")
            .Where(f => !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static TheoryData<string> Cards() => new(In("cards"));

    public static TheoryData<string> Lorebooks() => new(In("lorebooks"));

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (
                Directory.Exists(System.IO.Path.Combine(dir.FullName, ".git"))
                || File.Exists(System.IO.Path.Combine(dir.FullName, ".git"))
                || File.Exists(System.IO.Path.Combine(dir.FullName, "StoryEngine.slnx"))
            )
            {
                var fixtures = System.IO.Path.GetFullPath(
                    System.IO.Path.Combine(dir.FullName, "..", "shared", "fixtures")
                );
                return Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException(
                        $"The shared fixtures are expected at {fixtures} "
                            + "(../shared/fixtures beside the repository)."
                    );
            }
        }
        throw new DirectoryNotFoundException(
            "No repository root (.git or StoryEngine.slnx) above " + $"{AppContext.BaseDirectory}."
        );
    }
}
