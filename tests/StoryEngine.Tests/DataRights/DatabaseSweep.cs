using Dapper;
using StoryEngine.Storage;
using StoryEngine.Storage.DataRights;

namespace StoryEngine.Tests.DataRights;

/// <summary>A value found in one column of one row: which table, which column, and whose value it was.</summary>
public sealed record Mention(string Table, string Column, string What, string Row);

/// <summary>
/// Reads every column of every table as the database has it now (tables added later included), as text — every type
/// but blobs, untyped columns such as SQLite's full-text tables too — and reports each cell that contains one of the
/// values looked for, compared case-insensitively. The databases these tests use are small, so reading all is cheap.
/// </summary>
public static class DatabaseSweep
{
    public static async Task<IReadOnlyList<string>> TablesAsync(IStorageProvider provider)
    {
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        return (await SchemaCatalog.ColumnsAsync(provider.Dialect, connection, null, CancellationToken.None))
            .Select(c => c.Table)
            .Distinct()
            .ToArray();
    }

    public static async Task<List<Mention>> FindAsync(
        IStorageProvider provider,
        IReadOnlyCollection<(string What, string Value)> values
    )
    {
        Assert.All(values, v =>
            Assert.True(
                v.Value.Length >= 8,
                $"{v.What} '{v.Value}' is too short to search for " + "without false matches"
            )
        );
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        var schema = await SchemaCatalog.ColumnsAsync(provider.Dialect, connection, null, CancellationToken.None);
        var found = new List<Mention>();
        foreach (var table in schema.GroupBy(c => c.Table))
        {
            var columns = table.Where(c => !c.IsBlob).Select(c => c.Column).ToArray();
            var select = string.Join(", ", columns.Select((c, i) => $"lower(CAST(\"{c}\" AS TEXT)) AS c{i}"));
            foreach (
                var row in await connection.QueryAsync(new CommandDefinition($"SELECT {select} FROM \"{table.Key}\""))
            )
            {
                var cells = ((IDictionary<string, object?>)row).Values.Select(v => v as string).ToArray();
                var shown = string.Join(" | ", cells.Select(c => c is null ? "null" : c[..Math.Min(c.Length, 40)]));
                for (var i = 0; i < columns.Length; i++)
                {
                    foreach (
                        var (what, value) in values.Where(v =>
                            cells[i]?.Contains(v.Value.ToLowerInvariant(), StringComparison.Ordinal) == true
                        )
                    )
                    {
                        found.Add(new Mention(table.Key, columns[i], what, shown));
                    }
                }
            }
        }
        return found;
    }
}
