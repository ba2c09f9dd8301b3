using System.Globalization;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Server.Backups;

/// <summary>A backup file in the folder, named by when it was taken.</summary>
public sealed record BackupFile(string Path, DateTimeOffset TakenAt, long Bytes);

/// <summary>The backup folder: names of new backups, the backups in it, and retention.</summary>
public static class BackupFolder
{
    public const string Prefix = "storyengine-";
    public const string Suffix = ".backup.zip";
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string NewName(DateTimeOffset at) =>
        Prefix + at.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture) + Suffix;

    /// <summary>The folder's backups, newest first. Partial files (dot-names) are never listed.</summary>
    public static IReadOnlyList<BackupFile> List(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        var files = new List<BackupFile>();
        foreach (var path in Directory.EnumerateFiles(folder, Prefix + "*" + Suffix))
        {
            var stamp = Path.GetFileName(path)[Prefix.Length..^Suffix.Length];
            if (
                DateTimeOffset.TryParseExact(
                    stamp,
                    StampFormat,
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                    out var at
                )
            )
            {
                files.Add(new BackupFile(path, at, new FileInfo(path).Length));
            }
        }
        return files.OrderByDescending(f => f.TakenAt).ToArray();
    }

    /// <summary>
    /// The files retention keeps: the newest of each of the <paramref name="hourly"/> most recent hours that have a
    /// backup, and the newest of each of the <paramref name="daily"/> most recent days (UTC) that have one.
    /// </summary>
    public static IReadOnlySet<string> Keep(IReadOnlyList<BackupFile> newestFirst, int hourly, int daily)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        Pick(f => f.TakenAt.UtcDateTime.Ticks / TimeSpan.TicksPerHour, hourly);
        Pick(f => f.TakenAt.UtcDateTime.Ticks / TimeSpan.TicksPerDay, daily);
        return keep;

        void Pick(Func<BackupFile, long> bucket, int count)
        {
            foreach (var newest in newestFirst.GroupBy(bucket).Take(count))
            {
                keep.Add(newest.First().Path);
            }
        }
    }

    /// <summary>Deletes what retention does not keep; returns the deleted paths.</summary>
    public static IReadOnlyList<string> Prune(string folder, int hourly, int daily)
    {
        var files = List(folder);
        var keep = Keep(files, hourly, daily);
        var deleted = new List<string>();
        foreach (var file in files.Where(f => !keep.Contains(f.Path)))
        {
            File.Delete(file.Path);
            deleted.Add(file.Path);
        }
        return deleted;
    }

    public static async Task<BackupManifest?> ManifestAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var archive = await BackupArchive.OpenManifestAsync(path, cancellationToken);
            return archive.Manifest;
        }
        catch (BackupException)
        {
            return null;
        }
    }
}
