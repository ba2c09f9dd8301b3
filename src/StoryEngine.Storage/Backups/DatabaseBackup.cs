using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Storage.Backups;

/// <summary>A file to carry in the archive as it is (a key, pg_dump's output).</summary>
public sealed record BackupExtraFile(string Entry, string SourcePath);

/// <summary>
/// Takes a consistent backup of a live database. SQLite: the online backup API copies the file while writers go on,
/// the rows are read from that copy and the copy travels too. PostgreSQL: every table is read in one repeatable-read
/// transaction. Either way the rows go out in the engine-neutral format that <see cref="DatabaseRestore"/> reads.
/// </summary>
public sealed class DatabaseBackup(IStorageProvider provider)
{
    public const string SqliteCopyEntry = "database/storyengine.db";

    public async Task<BackupManifest> CreateAsync(
        string path,
        IReadOnlyList<BackupExtraFile> extraFiles,
        DateTimeOffset createdAt,
        string? version,
        CancellationToken cancellationToken
    )
    {
        using var writer = new BackupArchiveWriter(path);
        var sql = BackupSql.For(provider);
        int schemaVersion;
        if (provider is SqliteStorageProvider)
        {
            var copy = writer.ScratchPath(".db");
            try
            {
                await SnapshotSqliteAsync(copy, cancellationToken);
                await using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
                {
                    await connection.OpenAsync(cancellationToken);
                    schemaVersion = await ExportAsync(writer, sql, connection, null, cancellationToken);
                }
                await writer.AddFileAsync(SqliteCopyEntry, copy, cancellationToken);
            }
            finally
            {
                File.Delete(copy);
            }
        }
        else
        {
            await using var connection = await provider.OpenAsync(cancellationToken);
            await using var snapshot = await sql.BeginSnapshotAsync(connection, cancellationToken);
            schemaVersion = await ExportAsync(writer, sql, connection, snapshot, cancellationToken);
        }
        foreach (var file in extraFiles)
        {
            await writer.AddFileAsync(file.Entry, file.SourcePath, cancellationToken);
        }
        return await writer.CommitAsync(createdAt, provider.Engine, schemaVersion, version, cancellationToken);
    }

    private async Task SnapshotSqliteAsync(string copyPath, CancellationToken cancellationToken)
    {
        await using var source = (SqliteConnection)await provider.OpenAsync(cancellationToken);
        await using (var destination = new SqliteConnection($"Data Source={copyPath};Pooling=False"))
        {
            await destination.OpenAsync(cancellationToken);
            source.BackupDatabase(destination);
            // The copy inherits WAL mode; one self-contained file is what an operator can copy back by hand.
            await destination.ExecuteAsync("PRAGMA journal_mode=DELETE");
        }
    }

    private static async Task<int> ExportAsync(
        BackupArchiveWriter writer,
        IBackupSql sql,
        DbConnection connection,
        DbTransaction? transaction,
        CancellationToken cancellationToken
    )
    {
        var schemaVersion = await connection.ExecuteScalarAsync<int?>(
            new CommandDefinition(
                "SELECT MAX(version) FROM schema_migrations",
                transaction: transaction,
                cancellationToken: cancellationToken
            )
        ) ?? 0;
        foreach (var table in await BackupSchema.TablesAsync(sql, connection, transaction, cancellationToken))
        {
            var columns = table.Columns.Select(c => c.Column).ToArray();
            await writer.AddTableAsync(
                table.Name,
                table.Columns.Select(c => new BackupManifestColumn(c.Column, c.Type)).ToArray(),
                TableCopy.ReadAsync(connection, transaction, table.Name, columns, cancellationToken),
                cancellationToken
            );
        }
        return schemaVersion;
    }
}
