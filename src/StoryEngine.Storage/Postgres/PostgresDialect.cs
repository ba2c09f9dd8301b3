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

    // ts_rank over the generated tsvector (the heading weighs A); the world filter and the match use their indexes.
    public string KnowledgeSearch =>
        """
            SELECT c.id AS ChunkId, ts_rank(c.search, q)::float8 AS Score
            FROM knowledge_chunks c
            JOIN knowledge_documents d ON d.id = c.document_id
            CROSS JOIN to_tsquery('english', @Match) q
            WHERE c.world_id = @WorldId AND c.owner_id = @OwnerId AND d.deleted_at IS NULL AND c.search @@ q
            ORDER BY Score DESC, c.id LIMIT @Limit
            """;

    public string KnowledgeMatch(IReadOnlyList<string> terms) =>
        string.Join(
            " | ",
            terms.Select(t => new string(t.Where(char.IsLetterOrDigit).ToArray())).Where(t => t.Length > 0)
        );
}
