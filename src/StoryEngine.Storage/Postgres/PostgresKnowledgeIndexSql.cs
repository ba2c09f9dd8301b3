using StoryEngine.Core.Memory;
using StoryEngine.Storage.Knowledge;

namespace StoryEngine.Storage.Postgres;

/// <summary>
/// Knowledge search on PostgreSQL (migration 0022): the generated tsvector <c>knowledge_chunks.search</c> carries a
/// lexeme made from the world id, so one GIN lookup serves the world and the words; the newest matches are picked
/// before any is ranked.
/// </summary>
public sealed class PostgresKnowledgeIndexSql : IKnowledgeIndexSql
{
    // The world's lexeme in knowledge_chunks.search, exactly as migration 0022 generates it.
    private const string Scope = "to_tsquery('simple', 'w' || md5(@WorldId))";

    public string Search =>
        $"""
            SELECT c.id AS ChunkId, ts_rank(c.search, to_tsquery('english', @Weighing))::float8 AS Score
            FROM (SELECT k.id, k.search, k.document_id FROM knowledge_chunks k
                  WHERE k.world_id = @WorldId AND k.owner_id = @OwnerId
                    AND k.search @@ ({Scope} && to_tsquery('english', @Matching))
                  ORDER BY k.id DESC LIMIT @Ranked) c
            JOIN knowledge_documents d ON d.id = c.document_id
            WHERE d.deleted_at IS NULL
            ORDER BY Score DESC, c.id LIMIT @Limit
            """;

    public IReadOnlyDictionary<string, object> Match(string worldId, TextQuery query) =>
        new Dictionary<string, object>
        {
            ["Matching"] = string.Join(" | ", query.Matching),
            ["Weighing"] = string.Join(" | ", query.Weighing),
        };

    public (string Sql, object Value) MatchTerm(string worldId, string term, string parameter) =>
        (
            "SELECT 1 FROM knowledge_chunks WHERE world_id = @WorldId"
                + $" AND search @@ ({Scope} && to_tsquery('english', @{parameter})) LIMIT @Cap",
            term
        );
}
