using StoryEngine.Storage.Memory;

namespace StoryEngine.Storage.Sqlite;

/// <summary>
/// SQLite's SQL where it differs from PostgreSQL's. SQLite has one writer at a time, so it needs no row locks.
/// </summary>
public sealed class SqliteDialect : ISqlDialect
{
    public string InList(string parameter) => "IN @" + parameter;

    public string ForUpdate => "";

    public string ForUpdateSkipLocked => "";

    public string SchemaColumns =>
        """
            SELECT m.name AS TableName, p.name AS ColumnName, p.type AS Type
            FROM sqlite_master m JOIN pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid
            """;

    public IMemoryIndexSql MemoryIndex { get; } = new SqliteMemoryIndexSql();

    public Knowledge.IKnowledgeIndexSql KnowledgeIndex { get; } = new SqliteKnowledgeIndexSql();
}
