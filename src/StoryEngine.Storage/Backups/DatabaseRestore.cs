using System.Data.Common;
using Dapper;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Storage.Backups;

/// <summary>One table as restored: the rows and digest of what was written, over the columns both sides have.</summary>
public sealed record RestoredTable(string Name, IReadOnlyList<string> Columns, long Rows, string Digest);

public sealed record RestoreResult(
    IReadOnlyList<RestoredTable> Tables,
    IReadOnlyList<string> Skipped,
    int SchemaVersion
);

/// <summary>
/// Loads a checked backup into a database of either engine: brings it to the backup's schema version with this
/// engine's own migrations, loads every table in dependency order in one transaction, then applies later migrations.
/// </summary>
public sealed class DatabaseRestore(IStorageProvider provider)
{
    /// <param name="applyLaterMigrations">False for verify, which compares the rows as the backup had them.</param>
    public async Task<RestoreResult> RestoreAsync(
        BackupArchive archive,
        bool force,
        bool applyLaterMigrations,
        CancellationToken cancellationToken
    )
    {
        var manifest = archive.Manifest;
        var runner = new MigrationRunner(provider);
        if (manifest.SchemaVersion > runner.LatestVersion)
        {
            throw new BackupException(
                $"The backup is at schema version {manifest.SchemaVersion} but this Story Engine "
                    + $"knows only up to {runner.LatestVersion}: restore it with a newer Story Engine."
            );
        }
        var sql = BackupSql.For(provider);
        if (await runner.CurrentVersionAsync(cancellationToken) is var current and > 0)
        {
            var rows = await RowsPresentAsync(sql, cancellationToken);
            if (rows > 0 && !force)
            {
                throw new BackupException(
                    $"The database at {provider.Target} is not empty ({rows} tables hold rows). "
                        + "Restore into an empty database, or pass --force to replace everything in it."
                );
            }
            if (rows > 0 || current > manifest.SchemaVersion)
            {
                await runner.DownAsync(rows > 0 ? 0 : manifest.SchemaVersion, dryRun: false, cancellationToken);
            }
        }
        await runner.UpToAsync(manifest.SchemaVersion, dryRun: false, cancellationToken);

        var result = await LoadAsync(archive, sql, cancellationToken);
        if (applyLaterMigrations)
        {
            await runner.UpAsync(dryRun: false, cancellationToken);
        }
        return result;
    }

    private async Task<RestoreResult> LoadAsync(
        BackupArchive archive,
        IBackupSql sql,
        CancellationToken cancellationToken
    )
    {
        var fromBackup = archive.Manifest.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var restored = new List<RestoredTable>();
        await using var session = await provider.OpenForWriteAsync(cancellationToken);
        var connection = session.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var tables = await BackupSchema.TablesAsync(sql, connection, transaction, cancellationToken);
        foreach (var table in tables)
        {
            if (!fromBackup.TryGetValue(table.Name, out var source))
            {
                continue; // a table this engine has and the other has not: triggers or later migrations fill it
            }
            var positions = source
                .Columns.Select((c, i) => (c.Name, i))
                .ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
            var columns = table.Columns.Where(c => positions.ContainsKey(c.Column)).ToArray();
            var picks = columns.Select(c => positions[c.Column]).ToArray();
            var rows = archive.RowsAsync(source, cancellationToken).Select(row => picks.Select(i => row[i]).ToArray());
            var digest = await TableCopy.InsertAsync(
                connection,
                transaction,
                table.Name,
                columns,
                rows,
                cancellationToken
            );
            restored.Add(
                new RestoredTable(table.Name, columns.Select(c => c.Column).ToArray(), digest.Rows, digest.Value)
            );
        }
        await transaction.CommitAsync(cancellationToken);
        var skipped = fromBackup
            .Keys.Except(tables.Select(t => t.Name), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return new RestoreResult(restored, skipped, archive.Manifest.SchemaVersion);
    }

    /// <summary>How many carried tables hold at least one row.</summary>
    private async Task<int> RowsPresentAsync(IBackupSql sql, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var count = 0;
        foreach (var table in await BackupSchema.TablesAsync(sql, connection, null, cancellationToken))
        {
            var any = await connection.ExecuteScalarAsync<long?>(
                new CommandDefinition(
                    $"SELECT 1 FROM {TableCopy.Quote(table.Name)} LIMIT 1",
                    cancellationToken: cancellationToken
                )
            );
            count += any is null ? 0 : 1;
        }
        return count;
    }

    /// <summary>The digest of a table's rows over the given columns, to compare with what a restore wrote.</summary>
    public async Task<TableDigest> DigestAsync(
        string table,
        IReadOnlyList<string> columns,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var digest = new TableDigest();
        await foreach (var row in TableCopy.ReadAsync(connection, null, table, columns, cancellationToken))
        {
            digest.Add(row);
        }
        return digest;
    }
}
