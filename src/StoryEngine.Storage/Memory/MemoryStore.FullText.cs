using System.Data.Common;
using System.Globalization;
using Dapper;
using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// Full-text search and word counts, scoped inside the full-text match itself (migration 0010,
/// docs/adr/0028-bounded-full-text-recall.md): on SQLite a <c>scope</c> column of the FTS5 table holds the
/// adventure's key from <c>memory_scopes</c>; on PostgreSQL the tsvector carries a lexeme made from the adventure id.
/// So the index returns only the adventure's matches, and no other adventure's turns are read or ranked. Terms are
/// letters and digits only (<see cref="MemoryText.Terms"/>), so they cannot break out of either query syntax.
/// </summary>
public sealed partial class MemoryStore
{
    /// <summary>The adventure's lexeme in <c>memory_entries.search</c>, exactly as migration 0010 generates it.</summary>
    private const string PostgresScope = "to_tsquery('simple', 'adv' || md5(@AdventureId))";

    /// <summary>Appended to each search: the generation in the same round trip, in a row of its own with no turn id.</summary>
    private const string GenerationRow =
        "SELECT '' AS turn_id, coalesce((SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId), 0) AS number, NULL AS score";

    public async Task<TextHits> SearchTextAsync(string adventureId, TextQuery query, int limit, int ranked, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        if (query.Matching.Count == 0 || limit <= 0 || ranked <= 0)
        {
            return new TextHits([], await GenerationAsync(connection, adventureId, cancellationToken));
        }
        string sql;
        object parameters;
        if (provider.Engine == "postgres")
        {
            // The newest matches are picked through the GIN index before any is ranked. ts_rank, not ts_rank_cd: the cover
            // density cost ~5 µs a match here (3 ms for 650), ts_rank a tenth of that, at the same recall@5 (docs/benchmarks.md).
            sql = $"""
                  SELECT * FROM (
                      SELECT c.turn_id, c.number, ts_rank(c.search, q)::float8 AS score
                      FROM (SELECT m.turn_id, m.number, m.search FROM memory_entries m
                            WHERE m.adventure_id = @AdventureId AND m.search @@ ({PostgresScope} && to_tsquery('english', @Matching))
                            ORDER BY m.number DESC LIMIT @Ranked) c
                      CROSS JOIN to_tsquery('english', @Weighing) q
                      ORDER BY score DESC, c.number DESC LIMIT @Limit) hits
                  UNION ALL {GenerationRow}
                  """;
            parameters = new
            {
                AdventureId = adventureId, Matching = string.Join(" | ", query.Matching), Weighing = string.Join(" | ", query.Weighing),
                Ranked = (long)ranked, Limit = (long)limit,
            };
        }
        else
        {
            var scope = await SqliteScopeAsync(connection, adventureId, cancellationToken);
            if (scope is null)
            {
                return new TextHits([], await GenerationAsync(connection, adventureId, cancellationToken));
            }
            // BM25 only over the newest matches, the best few joined back to their turns; the scope column weighs 0.
            // The adventure_id check cannot fail while the scope is right; it keeps a wrong one from leaking a turn.
            sql = $"""
                  SELECT * FROM (
                      SELECT m.turn_id, m.number, best.score
                      FROM (SELECT rowid, score FROM (
                                SELECT rowid, -bm25(memory_fts, 0.0, 1.0) AS score FROM memory_fts
                                WHERE memory_fts MATCH @Match ORDER BY rowid DESC LIMIT @Ranked)
                            ORDER BY score DESC, rowid DESC LIMIT @Limit) best
                      JOIN memory_entries m ON m.id = best.rowid
                      WHERE m.adventure_id = @AdventureId
                      ORDER BY best.score DESC, m.number DESC)
                  UNION ALL {GenerationRow}
                  """;
            parameters = new { AdventureId = adventureId, Match = SqliteMatch(scope.Value, query), Ranked = (long)ranked, Limit = (long)limit };
        }
        // A compound query promises no order, so the hits are put in the ranking's order here again.
        var rows = (await connection.QueryAsync<(string TurnId, long Number, double? Score)>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
        var generation = rows.Single(r => r.TurnId.Length == 0).Number;
        return new TextHits([.. rows.Where(r => r.TurnId.Length > 0).OrderByDescending(r => r.Score).ThenByDescending(r => r.Number)
            .Select(r => new TextHit(r.TurnId, (int)r.Number, r.Score ?? 0))], generation);
    }

    private static async Task<long> GenerationAsync(DbConnection connection, string adventureId, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId",
            new { AdventureId = adventureId }, cancellationToken: cancellationToken)) ?? 0;

    public async Task<TermCounts> CountTermsAsync(string adventureId, IReadOnlyList<string> terms, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var (entries, generation) = await connection.QuerySingleAsync<(long Entries, long Generation)>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM memory_entries WHERE adventure_id = @AdventureId),
                   coalesce((SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId), 0)
            """, new { AdventureId = adventureId }, cancellationToken: cancellationToken));
        var scope = provider.Engine == "postgres" ? 0 : await SqliteScopeAsync(connection, adventureId, cancellationToken);
        if (terms.Count == 0 || entries == 0 || scope is null || limit <= 0)
        {
            return new TermCounts((int)entries, terms.Select(_ => 0).ToArray(), generation);
        }
        var parameters = new DynamicParameters(new { AdventureId = adventureId, Cap = (long)limit });
        var counts = new List<string>(terms.Count);
        for (var i = 0; i < terms.Count; i++)
        {
            var name = "Term" + i.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, provider.Engine == "postgres" ? terms[i] : SqliteMatch(scope.Value, new TextQuery([terms[i]], [terms[i]])));
            var matching = provider.Engine == "postgres"
                ? $"SELECT 1 FROM memory_entries WHERE adventure_id = @AdventureId AND search @@ ({PostgresScope} && to_tsquery('english', @{name})) LIMIT @Cap"
                : $"SELECT 1 FROM memory_fts WHERE memory_fts MATCH @{name} LIMIT @Cap";
            counts.Add($"SELECT {i} AS position, (SELECT count(*) FROM ({matching}) AS matching) AS matches");
        }
        var rows = await connection.QueryAsync<(long Position, long Matches)>(new CommandDefinition(
            string.Join("\nUNION ALL\n", counts), parameters, cancellationToken: cancellationToken));
        var matches = new int[terms.Count];
        foreach (var (position, count) in rows)
        {
            matches[position] = (int)count;
        }
        return new TermCounts((int)entries, matches, generation);
    }

    /// <summary>The adventure's key in SQLite's FTS <c>scope</c> column; null before anything of it is indexed.</summary>
    private static async Task<long?> SqliteScopeAsync(DbConnection connection, string adventureId, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT key FROM memory_scopes WHERE adventure_id = @AdventureId", new { AdventureId = adventureId }, cancellationToken: cancellationToken));

    /// <summary>
    /// The scope and the matching words; then, when there are others to weigh, all of them again as a group that the first
    /// already implies: it widens nothing, but FTS5's bm25 scores every phrase in the expression, so the other words weigh
    /// in. The matching words, named twice, weigh double; the top five were still those of a full BM25 ranking for 199
    /// of 200 benchmark-style questions over 10,000 turns, against 188 with the matching words alone.
    /// </summary>
    private static string SqliteMatch(long scope, TextQuery query)
    {
        var match = $"scope : \"{scope.ToString(CultureInfo.InvariantCulture)}\" AND ({Any(query.Matching)})";
        return query.Weighing.Count > query.Matching.Count ? $"{match} AND ({Any(query.Weighing)})" : match;
    }

    private static string Any(IReadOnlyList<string> terms) => string.Join(" OR ", terms.Select(t => "\"" + t + "\""));
}
