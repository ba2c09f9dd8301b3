using System.Diagnostics;
using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>The README's API walk-through is run as written (with the test server's address), so it stays
/// true.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public async Task readme_api_walkthrough_runs_as_written()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Using the API", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        var script = string.Join("\n", BashBlock().Matches(section).Select(m => m.Groups[1].Value));
        Assert.Contains("/turns", script, StringComparison.Ordinal);

        var fixture = new SqliteServerFixture();
        await fixture.InitializeAsync();
        try
        {
            script = script.Replace("localhost:5080", fixture.BaseAddress.Authority, StringComparison.Ordinal);
            var info = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var bash = Process.Start(info)!;
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await bash.WaitForExitAsync(timeout.Token);
            Assert.True(bash.ExitCode == 0, await stderr);
            var output = await stdout;
            Assert.Contains("event: turn.accepted", output, StringComparison.Ordinal);
            Assert.Contains("event: turn.completed", output, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StoryEngine.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            "Cannot find the repository root (StoryEngine.slnx) above " + AppContext.BaseDirectory
        );
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
