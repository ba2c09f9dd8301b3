using System.Diagnostics;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// The README's set-up puts `storyengine` on the PATH through scripts/install.sh (ADR 34): the script is run as
/// written, into a folder of the test's own, and the launcher it writes runs the program.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _bin = Path.Combine(
        Path.GetTempPath(),
        "storyengine-install",
        Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task the_install_script_puts_a_working_storyengine_launcher_on_the_path()
    {
        var root = Api.ReadmeTests.RepositoryRoot();
        // Debug and portable, as the tests already built it, so the script's publish reuses that build.
        var install = await RunAsync(
            Path.Combine(root, "scripts", "install.sh"),
            [],
            new()
            {
                ["STORYENGINE_BIN_DIR"] = _bin,
                ["STORYENGINE_CONFIGURATION"] = "Debug",
                ["STORYENGINE_READY_TO_RUN"] = "0",
            }
        );
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        Assert.Contains("== building Story Engine", install.Stdout, StringComparison.Ordinal);
        Assert.Contains($"== installed: {_bin}/storyengine", install.Stdout, StringComparison.Ordinal);

        var dataDir = Path.Combine(_bin, "data");
        var status = await RunAsync(Path.Combine(_bin, "storyengine"), ["status", "--data-dir", dataDir], []);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("Story Engine ", status.Stdout, StringComparison.Ordinal);
        Assert.Contains(dataDir, status.Stdout, StringComparison.Ordinal);
    }

    private static async Task<CliProcess.Result> RunAsync(
        string file,
        string[] args,
        Dictionary<string, string> environment
    )
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliProcess.Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_bin))
        {
            Directory.Delete(_bin, recursive: true);
        }
    }
}
