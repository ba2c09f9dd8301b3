using System.Data;
using System.Data.Common;

namespace StoryEngine.Storage.Backups;

/// <summary>SQLite: the catalogue queries and a read transaction.</summary>
public sealed class SqliteBackupSql : IBackupSql
{
    // pragma_table_list tells plain tables from virtual tables and their shadow tables (the full-text index),
    // which the insert triggers of memory_entries rebuild on restore.
    public string Columns =>
        """
            SELECT l.name AS TableName, p.name AS ColumnName, p.type AS Type
            FROM pragma_table_list l JOIN pragma_table_info(l.name) p
            WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite_%'
              AND l.name <> 'schema_migrations'
            ORDER BY l.name, p.cid
            """;

    // Foreign keys, and tables that another table's triggers write to: memory_entries' insert trigger fills
    // memory_scopes (migration 0010), so the backed-up scopes must be there first or their keys would change.
    public string Dependencies =>
        """
            SELECT m.name AS TableName, f."table" AS DependsOn
            FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'
            UNION
            SELECT t.tbl_name AS TableName, o.name AS DependsOn
            FROM sqlite_master t JOIN sqlite_master o ON o.type = 'table' AND o.name <> t.tbl_name
            WHERE t.type = 'trigger' AND instr(t.sql, ' ' || o.name || ' ') > 0
            """;

    // A read transaction on SQLite (WAL) sees one moment; backups of SQLite read from an online-backup copy anyway.
    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
}
