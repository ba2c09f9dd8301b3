using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, on loopback, that the test may stop (<c>-m immediate</c>, as a crash) and
/// start again, as scripts/lib/postgres.sh starts the shared one. As root, the server runs as the postgres user
/// (initdb refuses root).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly int _port;

    private PrivatePostgres(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        _port = port;
    }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=10";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory
            .GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderBy(b =>
                int.Parse(
                    Path.GetFileName(Path.GetDirectoryName(b))!,
                    System.Globalization.CultureInfo.InvariantCulture
                )
            )
            .LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/test.sh " + "installs it).");
        var dir = Directory.CreateTempSubdirectory("storyengine-pg-fault").FullName;
        var postgres = new PrivatePostgres(bin, dir, FreePort());
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres:postgres", dir);
        }
        await postgres.AsPostgresAsync(
            "initdb",
            "-D",
            Path.Combine(dir, "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync"
        );
        await postgres.StartAgainAsync();
        return postgres;
    }

    /// <summary>Stops the server the way a crash would: no checkpoint, every connection cut.</summary>
    public Task StopImmediateAsync() =>
        AsPostgresAsync("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");

    public Task StartAgainAsync() =>
        AsPostgresAsync(
            "pg_ctl",
            "-D",
            Path.Combine(_dir, "data"),
            "-l",
            Path.Combine(_dir, "log"),
            "-w",
            "-o",
            $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start"
        );

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopImmediateAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(_dir, recursive: true);
    }

    private Task AsPostgresAsync(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
