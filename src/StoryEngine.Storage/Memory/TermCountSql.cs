using System.Data.Common;
using System.Globalization;
using Dapper;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// Counts each word's matches in one scope of a full-text index (an adventure's memories, a world's passages), up to
/// <c>@Cap</c>, in one statement: one capped sub-count per word, so a common word costs no more than the cap
/// (docs/adr/0028-bounded-full-text-recall.md).
/// </summary>
internal static class TermCountSql
{
    /// <param name="matchTerm">For a word and the parameter name it gets: a statement selecting up to <c>@Cap</c> of
    /// the scope's rows that match it, and that parameter's value.</param>
    /// <param name="parameters">The scope's own parameters and <c>@Cap</c>; the words' are added.</param>
    public static async Task<int[]> CountAsync(
        DbConnection connection,
        IReadOnlyList<string> terms,
        Func<string, string, (string Sql, object Value)> matchTerm,
        DynamicParameters parameters,
        CancellationToken cancellationToken
    )
    {
        var counts = new List<string>(terms.Count);
        for (var i = 0; i < terms.Count; i++)
        {
            var name = "Term" + i.ToString(CultureInfo.InvariantCulture);
            var (sql, value) = matchTerm(terms[i], name);
            parameters.Add(name, value);
            counts.Add($"SELECT {i} AS position, (SELECT count(*) FROM ({sql}) AS matching) AS matches");
        }
        var rows = await connection.QueryAsync<(long Position, long Matches)>(
            new CommandDefinition(
                string.Join("\nUNION ALL\n", counts),
                parameters,
                cancellationToken: cancellationToken
            )
        );
        var matches = new int[terms.Count];
        foreach (var (position, count) in rows)
        {
            matches[position] = (int)count;
        }
        return matches;
    }
}
