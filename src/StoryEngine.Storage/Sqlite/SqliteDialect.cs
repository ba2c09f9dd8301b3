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

    // BM25 with the heading weighing twice the text; the owner and world checks keep the match to the world's rows.
    public string KnowledgeSearch =>
        """
            SELECT c.id AS ChunkId, -bm25(knowledge_fts, 2.0, 1.0) AS Score
            FROM knowledge_fts
            JOIN knowledge_chunks c ON c.id = knowledge_fts.rowid
            JOIN knowledge_documents d ON d.id = c.document_id
            WHERE knowledge_fts MATCH @Match AND c.world_id = @WorldId AND c.owner_id = @OwnerId
              AND d.deleted_at IS NULL
            ORDER BY Score DESC, c.id LIMIT @Limit
            """;

    public string KnowledgeMatch(IReadOnlyList<string> terms) =>
        string.Join(" OR ", terms.Select(t => "\"" + t.Replace("\"", "", StringComparison.Ordinal) + "\""));
}
