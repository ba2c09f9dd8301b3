using System.Data.Common;
using System.Globalization;
using Dapper;
using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// Full-text search and word counts, scoped inside the full-text match itself (migration 0010,
/// docs/adr/0028-bounded-full-text-recall.md), so the index returns only the adventure's matches and no other
/// adventure's turns are read or ranked. How each engine scopes and ranks is its <see cref="IMemoryIndexSql"/>.
/// </summary>
public sealed partial class MemoryStore
{
    /// <summary>Appended to each search: the generation in the same round trip, in a row of its own with no turn
    /// id.</summary>
    private const string GenerationRow =
        "SELECT '' AS turn_id, coalesce((SELECT generation FROM memory_generations WHERE adventure_id = "
        + "@AdventureId), 0) AS number, NULL AS score";

    public async Task<TextHits> SearchTextAsync(
        string adventureId,
        TextQuery query,
        int limit,
        int ranked,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var index = provider.Dialect.MemoryIndex;
        var scope =
            query.Matching.Count == 0 || limit <= 0 || ranked <= 0
                ? null
                : await index.ScopeAsync(connection, adventureId, cancellationToken);
        if (scope is null)
        {
            return new TextHits([], await GenerationAsync(connection, adventureId, cancellationToken));
        }
        var search = index.Search(scope.Value, adventureId, query, limit, ranked);
        var sql = $"""
            SELECT * FROM (
            {search.Sql}) hits
            UNION ALL {GenerationRow}
            """;
        // A compound query promises no order, so the hits are put in the ranking's order here again.
        var rows = (
            await connection.QueryAsync<(string TurnId, long Number, double? Score)>(
                new CommandDefinition(sql, search.Parameters, cancellationToken: cancellationToken)
            )
        ).ToList();
        var generation = rows.Single(r => r.TurnId.Length == 0).Number;
        return new TextHits(
            [
                .. rows.Where(r => r.TurnId.Length > 0)
                    .OrderByDescending(r => r.Score)
                    .ThenByDescending(r => r.Number)
                    .Select(r => new TextHit(r.TurnId, (int)r.Number, r.Score ?? 0)),
            ],
            generation
        );
    }

    private static async Task<long> GenerationAsync(
        DbConnection connection,
        string adventureId,
        CancellationToken cancellationToken
    ) =>
        await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition(
                "SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        ) ?? 0;

    public async Task<TermCounts> CountTermsAsync(
        string adventureId,
        IReadOnlyList<string> terms,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var (entries, generation) = await connection.QuerySingleAsync<(long Entries, long Generation)>(
            new CommandDefinition(
                """
                SELECT (SELECT count(*) FROM memory_entries WHERE adventure_id = @AdventureId),
                       coalesce((SELECT generation FROM memory_generations WHERE adventure_id = @AdventureId), 0)
                """,
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        );
        var index = provider.Dialect.MemoryIndex;
        var scope = await index.ScopeAsync(connection, adventureId, cancellationToken);
        if (terms.Count == 0 || entries == 0 || scope is null || limit <= 0)
        {
            return new TermCounts((int)entries, terms.Select(_ => 0).ToArray(), generation);
        }
        var matches = await TermCountSql.CountAsync(
            connection,
            terms,
            (term, name) =>
            {
                var matching = index.MatchTerm(scope.Value, term, name);
                return (matching.Sql, matching.Parameters);
            },
            new DynamicParameters(new { AdventureId = adventureId, Cap = (long)limit }),
            cancellationToken
        );
        return new TermCounts((int)entries, matches, generation);
    }
}
