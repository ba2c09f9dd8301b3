using System.Data;
using System.Data.Common;
using Dapper;

namespace StoryEngine.Storage.Backups;

/// <summary>PostgreSQL: a repeatable-read snapshot.</summary>
public sealed class PostgresBackupSql : IBackupSql
{
    // Generated columns (the memory index's tsvector) are computed again on restore and cannot be inserted.
    public string Columns =>
        """
            SELECT c.table_name AS TableName, c.column_name AS ColumnName, c.data_type AS Type
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
              AND c.table_name <> 'schema_migrations'
            ORDER BY c.table_name, c.ordinal_position
            """;

    public string Dependencies =>
        """
            SELECT c.conrelid::regclass::text AS TableName, c.confrelid::regclass::text AS DependsOn
            FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """;

    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "SET TRANSACTION READ ONLY",
                transaction: transaction,
                cancellationToken: cancellationToken
            )
        );
        return transaction;
    }
}
