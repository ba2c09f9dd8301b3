using System.Text;
using StoryEngine.Core.Memory;
using StoryEngine.Storage.Knowledge;

namespace StoryEngine.Storage.Sqlite;

/// <summary>
/// Knowledge search on SQLite (migration 0022): the FTS5 table's <c>scope</c> column holds a token made from the world
/// id (<c>'w' || hex(world_id)</c>), so the match itself returns only the world's passages, newest first.
/// </summary>
public sealed class SqliteKnowledgeIndexSql : IKnowledgeIndexSql
{
    // BM25 only over the newest matches, the scope weighing nothing and the heading twice the text; then the few
    // best that belong to the owner's live documents. The world check cannot fail while the scope is right.
    public string Search =>
        """
            SELECT c.id AS ChunkId, r.score AS Score
            FROM (SELECT rowid, -bm25(knowledge_fts, 0.0, 2.0, 1.0) AS score FROM knowledge_fts
                  WHERE knowledge_fts MATCH @Match ORDER BY rowid DESC LIMIT @Ranked) r
            JOIN knowledge_chunks c ON c.id = r.rowid
            JOIN knowledge_documents d ON d.id = c.document_id
            WHERE c.world_id = @WorldId AND c.owner_id = @OwnerId AND d.deleted_at IS NULL
            ORDER BY r.score DESC, c.id LIMIT @Limit
            """;

    /// <summary>As memory recall's match: the scope, the matching words, and all the words again as a group the
    /// first implies, so bm25 weighs them too (docs/adr/0028-bounded-full-text-recall.md).</summary>
    public IReadOnlyDictionary<string, object> Match(string worldId, TextQuery query)
    {
        var match = $"{Scope(worldId)} AND ({Any(query.Matching)})";
        return new Dictionary<string, object>
        {
            ["Match"] = query.Weighing.Count > query.Matching.Count ? $"{match} AND ({Any(query.Weighing)})" : match,
        };
    }

    public (string Sql, object Value) MatchTerm(string worldId, string term, string parameter) =>
        (
            $"SELECT 1 FROM knowledge_fts WHERE knowledge_fts MATCH @{parameter} LIMIT @Cap",
            $"{Scope(worldId)} AND \"{term}\""
        );

    // The same token as the triggers of migration 0022 index: hex of the id's UTF-8 bytes, so any id is one word.
    private static string Scope(string worldId) =>
        $"scope : \"w{Convert.ToHexString(Encoding.UTF8.GetBytes(worldId))}\"";

    private static string Any(IReadOnlyList<string> terms) => string.Join(" OR ", terms.Select(t => "\"" + t + "\""));
}
