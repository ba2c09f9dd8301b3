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
    // The world's newest matches are found by the scope alone; BM25 then ranks the matches of the words (the heading
    // twice the text) between the first and the last of them. BM25 counts every phrase of its query over the whole
    // index, and the scope's phrase is every passage of the world: ranked with it, 100,000 passages cost twice the
    // CPU. Another world's passages in that stretch of rows are ranked too and dropped by the world check, which
    // cannot fail for the world's own. CROSS JOIN keeps SQLite's order: with the world's index on offer, the planner
    // scanned every passage of the world and looked each up in the ranked matches (45 ms for 30,000 passages).
    public string Search =>
        """
            WITH newest AS (SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH @Scoped
                            ORDER BY rowid DESC LIMIT @Ranked),
                 stretch AS (SELECT min(rowid) AS low, max(rowid) AS high FROM newest)
            SELECT c.id AS ChunkId, r.score AS Score
            FROM (SELECT knowledge_fts.rowid AS rowid, -bm25(knowledge_fts, 0.0, 2.0, 1.0) AS score
                  FROM stretch CROSS JOIN knowledge_fts
                  WHERE knowledge_fts MATCH @Words AND knowledge_fts.rowid BETWEEN stretch.low AND stretch.high) r
            CROSS JOIN knowledge_chunks c ON c.id = r.rowid
            CROSS JOIN knowledge_documents d ON d.id = c.document_id
            WHERE c.world_id = @WorldId AND c.owner_id = @OwnerId AND d.deleted_at IS NULL
            ORDER BY r.score DESC, c.id LIMIT @Limit
            """;

    /// <summary>The scope and the matching words, to find; the matching words and then all of them again as a group
    /// the first implies, to rank, so bm25 weighs them all (as memory recall's match,
    /// docs/adr/0028-bounded-full-text-recall.md).</summary>
    public IReadOnlyDictionary<string, object> Match(string worldId, TextQuery query)
    {
        var words = $"({Any(query.Matching)})";
        return new Dictionary<string, object>
        {
            ["Scoped"] = $"{Scope(worldId)} AND {words}",
            ["Words"] = query.Weighing.Count > query.Matching.Count ? $"{words} AND ({Any(query.Weighing)})" : words,
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
