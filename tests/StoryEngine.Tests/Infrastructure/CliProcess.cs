using System.Diagnostics;
using System.Text;
using StoryEngine.Server.Cli;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>Runs the real `storyengine` program (the built storyengine.dll) as a separate process.</summary>
public static partial class CliProcess
{
    public static string ProgramPath =>
        Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "storyengine.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(
        IEnumerable<string> args,
        IDictionary<string, string>? environment = null,
        string? stdin = null
    )
    {
        using var process = Start(args, environment);
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts `storyengine serve` on a free loopback port and returns once it listens.</summary>
    public static async Task<(Process Process, Uri Address)> StartServerAsync(
        string dataDir,
        IDictionary<string, string>? environment = null,
        string urls = "http://127.0.0.1:0"
    )
    {
        var process = Start(["serve", "--data-dir", dataDir, "--urls", urls], environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                // keep draining so the pipe never blocks the server
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return (process, new Uri(match.Groups[1].Value));
            }
        }
        throw new InvalidOperationException(
            "The server exited before it listened: " + await process.StandardError.ReadToEndAsync(timeout.Token)
        );
    }

    [System.Text.RegularExpressions.GeneratedRegex("Now listening on: (https?://[0-9.:]+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningOn();

    public static Process Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(ProgramPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["Auth__PasswordIterations"] = "1000";
        // A served CLI would load the packaged embedding model in the background: tests of the CLI do not need it.
        info.Environment["Embeddings__Local"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return Process.Start(info)!;
    }
}
