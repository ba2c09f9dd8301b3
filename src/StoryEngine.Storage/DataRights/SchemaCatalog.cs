using System.Data.Common;
using Dapper;

namespace StoryEngine.Storage.DataRights;

/// <summary>A column of a table of the database as it is now, including tables added by later migrations, with its
/// declared type.</summary>
public sealed record TableColumn(string Table, string Column, string Type)
{
    public bool IsText =>
        Type.Contains("TEXT", StringComparison.OrdinalIgnoreCase)
        || Type.Contains("CHAR", StringComparison.OrdinalIgnoreCase)
        || Type.Contains("JSON", StringComparison.OrdinalIgnoreCase);

    /// <summary>Binary (SQLite BLOB, PostgreSQL bytea); SQLite's untyped columns (full-text tables) are not.</summary>
    public bool IsBlob =>
        Type.Equals("BLOB", StringComparison.OrdinalIgnoreCase)
        || Type.Equals("bytea", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Reads the live schema from the engine's own catalog (sqlite_master, information_schema).</summary>
public static class SchemaCatalog
{
    public static async Task<IReadOnlyList<TableColumn>> ColumnsAsync(
        ISqlDialect dialect,
        DbConnection connection,
        DbTransaction? transaction,
        CancellationToken cancellationToken
    )
    {
        var rows = await connection.QueryAsync<(string TableName, string ColumnName, string Type)>(
            new CommandDefinition(dialect.SchemaColumns, transaction: transaction, cancellationToken: cancellationToken)
        );
        return rows.Select(r => new TableColumn(r.TableName, r.ColumnName, r.Type)).ToArray();
    }
}
