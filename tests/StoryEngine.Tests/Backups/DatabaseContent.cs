using System.Security.Cryptography;
using System.Text;
using Dapper;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Tests.Backups;

/// <summary>What a database holds, table by table and story log by story log, to compare two databases.</summary>
public sealed record DatabaseContent(
    IReadOnlyDictionary<string, string> Tables,
    IReadOnlyDictionary<string, IReadOnlyList<string>> StoryLogs
)
{
    /// <summary>
    /// Each table's digest (rows and an order-free hash) over <paramref name="columnsOf"/>'s columns when given,
    /// else all; and each adventure's story log as "sequence|type|payload" lines in sequence order.
    /// </summary>
    public static async Task<DatabaseContent> ReadAsync(
        IStorageProvider provider,
        Func<string, IReadOnlyList<string>?>? columnsOf = null
    )
    {
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (
            var table in await BackupSchema.TablesAsync(
                BackupSql.For(provider),
                connection,
                null,
                CancellationToken.None
            )
        )
        {
            var columns = columnsOf?.Invoke(table.Name) ?? table.Columns.Select(c => c.Column).ToArray();
            var digest = new TableDigest();
            await foreach (
                var row in TableCopy.ReadAsync(connection, null, table.Name, columns, CancellationToken.None)
            )
            {
                digest.Add(row);
            }
            tables[table.Name] = digest.Value;
        }
        var events = await connection.QueryAsync<(string AdventureId, long Sequence, string Type, string Payload)>(
            "SELECT adventure_id, sequence, type, payload FROM story_events ORDER BY adventure_id, sequence"
        );
        var logs = events
            .GroupBy(e => e.AdventureId)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<string>)g.Select(e => $"{e.Sequence}|{e.Type}|{e.Payload}").ToArray()
            );
        return new DatabaseContent(tables, logs);
    }

    /// <summary>The SQLite file a SQLite backup carries, copied out into <paramref name="folder"/>.</summary>
    public static async Task<IStorageProvider> SnapshotOfAsync(string backup, string folder)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N"), "storyengine.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var archive = await BackupArchive.OpenAsync(backup, CancellationToken.None);
        await using (
            var copy = archive.OpenFile(archive.Manifest.Files.Single(f => f.Entry == DatabaseBackup.SqliteCopyEntry))
        )
        await using (var file = File.Create(path))
        {
            await copy.CopyToAsync(file);
        }
        return new Storage.Sqlite.SqliteStorageProvider(path);
    }

    public static string Hash(IEnumerable<string> lines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));
}
