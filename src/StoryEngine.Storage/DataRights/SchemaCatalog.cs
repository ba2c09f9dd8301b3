using System.Data.Common;
using Dapper;

namespace StoryEngine.Storage.DataRights;

/// <summary>A column of a table of the database as it is now, including tables added by later migrations, with its declared type.</summary>
public sealed record TableColumn(string Table, string Column, string Type)
{
    public bool IsText => Type.Contains("TEXT", StringComparison.OrdinalIgnoreCase) || Type.Contains("CHAR", StringComparison.OrdinalIgnoreCase)
        || Type.Contains("JSON", StringComparison.OrdinalIgnoreCase);

    /// <summary>Binary (SQLite BLOB, PostgreSQL bytea); SQLite's untyped columns (full-text tables) are not.</summary>
    public bool IsBlob => Type.Equals("BLOB", StringComparison.OrdinalIgnoreCase) || Type.Equals("bytea", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Reads the live schema from the engine's own catalog (sqlite_master, information_schema).</summary>
public static class SchemaCatalog
{
    public static async Task<IReadOnlyList<TableColumn>> ColumnsAsync(string engine, DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var sql = engine == "postgres"
            ? "SELECT c.table_name AS TableName, c.column_name AS ColumnName, c.data_type AS Type FROM information_schema.columns c " +
              "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name " +
              "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"
            : "SELECT m.name AS TableName, p.name AS ColumnName, p.type AS Type FROM sqlite_master m JOIN pragma_table_info(m.name) p " +
              "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
        var rows = await connection.QueryAsync<(string TableName, string ColumnName, string Type)>(
            new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new TableColumn(r.TableName, r.ColumnName, r.Type)).ToArray();
    }
}
