using System.Text.Json;
using System.Text.Json.Serialization;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// What a backup holds (manifest.json inside the archive): enough to check it before anything is restored and to
/// list it without reading the rows. Its own SHA-256 sits beside it in manifest.sha256.
/// </summary>
public sealed record BackupManifest(
    string Format,
    DateTimeOffset CreatedAt,
    string Engine,
    int SchemaVersion,
    string? StoryEngineVersion,
    IReadOnlyList<BackupManifestTable> Tables,
    IReadOnlyList<BackupManifestFile> Files
)
{
    public const string CurrentFormat = "storyengine-backup/1";
    public const string EntryName = "manifest.json";
    public const string ChecksumEntryName = "manifest.sha256";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public long TotalRows => Tables.Sum(t => t.Rows);
}

/// <summary>One table: its rows as JSON lines in <see cref="Entry"/>, and the SHA-256 of that entry.</summary>
public sealed record BackupManifestTable(
    string Name,
    string Entry,
    long Rows,
    string Sha256,
    IReadOnlyList<BackupManifestColumn> Columns
);

public sealed record BackupManifestColumn(string Name, string Type);

/// <summary>
/// A file carried as it is: the SQLite database copy (database/storyengine.db), pg_dump's output, or a key of the
/// key folder (keys/...).
/// </summary>
public sealed record BackupManifestFile(string Entry, long Bytes, string Sha256);
