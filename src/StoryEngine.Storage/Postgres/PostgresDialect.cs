using StoryEngine.Storage.Memory;

namespace StoryEngine.Storage.Postgres;

/// <summary>
/// PostgreSQL's SQL where it differs from SQLite's: array parameters, and row locks for concurrent writers.
/// </summary>
public sealed class PostgresDialect : ISqlDialect
{
    public string InList(string parameter) => "= ANY(@" + parameter + ")";

    public string ForUpdate => " FOR UPDATE";

    public string ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED";

    public string SchemaColumns =>
        """
            SELECT c.table_name AS TableName, c.column_name AS ColumnName, c.data_type AS Type
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """;

    public IMemoryIndexSql MemoryIndex { get; } = new PostgresMemoryIndexSql();

    public Knowledge.IKnowledgeIndexSql KnowledgeIndex { get; } = new PostgresKnowledgeIndexSql();
}
