using System.Data.Common;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// What a backup needs from an engine beyond <see cref="ISqlDialect"/>: which tables hold data of their own (not
/// indexes that triggers rebuild), in what order they can be loaded, and a consistent snapshot. Kept beside the
/// backup code rather than on the dialect, because nothing else needs it.
/// </summary>
public interface IBackupSql
{
    /// <summary>Rows of <c>TableName</c>, <c>ColumnName</c>, <c>Type</c> for every column a backup carries.</summary>
    string Columns { get; }

    /// <summary>Rows of <c>TableName</c>, <c>DependsOn</c>: the second must be loaded before the first.</summary>
    string Dependencies { get; }

    /// <summary>A transaction in which every read sees the same moment of the database.</summary>
    Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);
}

public static class BackupSql
{
    public static IBackupSql For(IStorageProvider provider) =>
        provider.Dialect switch
        {
            SqliteDialect => new SqliteBackupSql(),
            PostgresDialect => new PostgresBackupSql(),
            _ => throw new NotSupportedException($"Backups do not know the {provider.Engine} engine."),
        };
}
