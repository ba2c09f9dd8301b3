using Microsoft.Extensions.Options;
using Npgsql;
using StoryEngine.Server.Hosting;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Server.Backups;

/// <summary>What verify found: one line per table that differs; none when the backup restores exactly.</summary>
public sealed record VerifyResult(RestoreResult Restore, IReadOnlyList<string> Differences);

/// <summary>
/// Restores a backup into a throwaway database of the configured engine (a temporary SQLite file, or a temporary
/// database on the same PostgreSQL server), reads every table back and compares rows and digests.
/// </summary>
public sealed class BackupVerifier(IOptions<StoryEngineOptions> storage)
{
    public async Task<VerifyResult> VerifyAsync(BackupArchive archive, CancellationToken cancellationToken)
    {
        var options = storage.Value;
        return options.UsesPostgres
            ? await InTemporaryPostgresAsync(archive, options.PostgresConnectionString!, cancellationToken)
            : await InTemporarySqliteAsync(archive, cancellationToken);
    }

    private static async Task<VerifyResult> InTemporarySqliteAsync(
        BackupArchive archive,
        CancellationToken cancellationToken
    )
    {
        var folder = Path.Combine(Path.GetTempPath(), "storyengine-verify-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await CompareAsync(
                new SqliteStorageProvider(Path.Combine(folder, "verify.db")),
                archive,
                cancellationToken
            );
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<VerifyResult> InTemporaryPostgresAsync(
        BackupArchive archive,
        string connectionString,
        CancellationToken cancellationToken
    )
    {
        var name = "storyengine_verify_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(connectionString, $"CREATE DATABASE {name}", cancellationToken);
        try
        {
            var target = new NpgsqlConnectionStringBuilder(connectionString) { Database = name, Pooling = false };
            await using var provider = new PostgresStorageProvider(target.ConnectionString);
            return await CompareAsync(provider, archive, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(
                connectionString,
                $"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                CancellationToken.None
            );
        }
    }

    private static async Task<VerifyResult> CompareAsync(
        IStorageProvider provider,
        BackupArchive archive,
        CancellationToken cancellationToken
    )
    {
        var restore = new DatabaseRestore(provider);
        var result = await restore.RestoreAsync(archive, force: false, applyLaterMigrations: false, cancellationToken);
        var differences = new List<string>();
        var manifestRows = archive.Manifest.Tables.ToDictionary(t => t.Name, t => t.Rows, StringComparer.Ordinal);
        foreach (var table in result.Tables)
        {
            var read = await restore.DigestAsync(table.Name, table.Columns, cancellationToken);
            if (table.Rows != manifestRows[table.Name] || read.Rows != table.Rows)
            {
                differences.Add(
                    $"{table.Name}: the manifest says {manifestRows[table.Name]} rows, {table.Rows} were "
                        + $"restored, {read.Rows} read back"
                );
            }
            else if (read.Value != table.Digest)
            {
                differences.Add($"{table.Name}: the rows read back differ from the backup's");
            }
        }
        return new VerifyResult(result, differences);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
