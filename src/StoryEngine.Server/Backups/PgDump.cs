using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using StoryEngine.Core;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Backups;

/// <summary>
/// On PostgreSQL, pg_dump's own archive (custom format) travels in the backup as well when pg_dump is installed,
/// for operators who restore with pg_restore. Restore and verify read the engine-neutral tables, not this.
/// </summary>
public sealed partial class PgDump(IOptions<StoryEngineOptions> storage, ILogger<PgDump> logger)
{
    public const string Entry = "database/pg_dump.custom";

    /// <summary>The dump's path, or null when not on PostgreSQL, pg_dump is missing, or it failed (logged).</summary>
    public async Task<string?> TryDumpAsync(string path, CancellationToken cancellationToken)
    {
        if (storage.Value.PostgresConnectionString is not { Length: > 0 } cs)
        {
            return null;
        }
        var builder = new NpgsqlConnectionStringBuilder(cs);
        var info = new ProcessStartInfo("pg_dump")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--format=custom", "--no-owner", "--file", path })
        {
            info.ArgumentList.Add(arg);
        }
        // Passed by environment, never on the command line where `ps` would show the password.
        info.Environment["PGHOST"] = builder.Host;
        info.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PGDATABASE"] = builder.Database;
        info.Environment["PGUSER"] = builder.Username;
        if (builder.Password is { Length: > 0 } password)
        {
            info.Environment["PGPASSWORD"] = password;
        }
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode == 0)
            {
                return path;
            }
            LogFailed(logger, process.ExitCode, (await stderr).Trim());
        }
        catch (Win32Exception)
        {
            // pg_dump is not installed: the engine-neutral tables are the backup.
        }
        File.Delete(path);
        return null;
    }

    [LoggerMessage(
        EventId = LogEvents.Backups.PgDumpFailed,
        Level = LogLevel.Warning,
        Message = "pg_dump exited with {ExitCode}; the backup carries the engine-neutral tables only: {Error}"
    )]
    private static partial void LogFailed(ILogger logger, int exitCode, string error);
}
