using System.Data.Common;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Server.Hosting;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Server.Backups;

/// <summary>Takes one backup for the command or the schedule: the archive, the key folder if asked, the
/// outcome.</summary>
public sealed partial class BackupService(
    IStorageProvider provider,
    IOptions<BackupOptions> options,
    IOptions<StoryEngineOptions> storage,
    BackupStatus status,
    PgDump pgDump,
    TimeProvider time,
    ILogger<BackupService> logger
)
{
    public static string? ProductVersion =>
        typeof(BackupService)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion;

    /// <summary>Writes a backup to <paramref name="path"/> (default: a new name in the backup folder).</summary>
    public async Task<(string Path, BackupManifest Manifest, long Bytes)> TakeAsync(
        string? path,
        bool includeKeys,
        CancellationToken cancellationToken
    )
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        path = Path.GetFullPath(path ?? Path.Combine(status.Folder, BackupFolder.NewName(now)));
        var extra = new List<BackupExtraFile>();
        if (includeKeys)
        {
            extra.AddRange(KeyFiles());
        }
        string? dump = null;
        try
        {
            // pg_dump writes beside the backup, before the archive writer would create the folder.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            dump = await pgDump.TryDumpAsync(
                Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".pgdump"),
                cancellationToken
            );
            if (dump is not null)
            {
                extra.Add(new BackupExtraFile(PgDump.Entry, dump));
            }
            var manifest = await new DatabaseBackup(provider).CreateAsync(
                path,
                extra,
                now,
                ProductVersion,
                cancellationToken
            );
            var bytes = new FileInfo(path).Length;
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (IsInFolder(path))
            {
                status.Record(new BackupOutcome(true, now, path, bytes, seconds, manifest.TotalRows, null));
            }
            LogTaken(logger, path, bytes, manifest.TotalRows, seconds);
            return (path, manifest, bytes);
        }
        catch (Exception e) when (e is DbException or IOException or BackupException or UnauthorizedAccessException)
        {
            if (IsInFolder(path))
            {
                status.Record(
                    new BackupOutcome(
                        false,
                        now,
                        path,
                        null,
                        Stopwatch.GetElapsedTime(started).TotalSeconds,
                        null,
                        e.Message
                    )
                );
            }
            throw;
        }
        finally
        {
            if (dump is not null)
            {
                File.Delete(dump);
            }
        }
    }

    /// <summary>Deletes what retention does not keep in the backup folder.</summary>
    public IReadOnlyList<string> Prune() =>
        BackupFolder.Prune(status.Folder, options.Value.KeepHourly, options.Value.KeepDaily);

    /// <summary>The key folder's files (secrets key, token signing key, data-protection keys).</summary>
    public IEnumerable<BackupExtraFile> KeyFiles()
    {
        var keys = Path.GetFullPath(Path.Combine(storage.Value.DataDir, "keys"));
        if (!Directory.Exists(keys))
        {
            return [];
        }
        return Directory
            .EnumerateFiles(keys, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => new BackupExtraFile("keys/" + Path.GetRelativePath(keys, f).Replace('\\', '/'), f));
    }

    // Only backups in the folder count as "the last backup": a one-off --out elsewhere is the operator's own copy.
    private bool IsInFolder(string path) =>
        string.Equals(Path.GetDirectoryName(path), status.Folder, StringComparison.Ordinal);

    [LoggerMessage(
        EventId = LogEvents.Backups.Taken,
        Level = LogLevel.Information,
        Message = "Backup written to {Path}: {Bytes} bytes, {Rows} rows in {Seconds:F1} s"
    )]
    private static partial void LogTaken(ILogger logger, string path, long bytes, long rows, double seconds);
}
