using System.Data.Common;
using Dapper;
using StoryEngine.Storage.DataRights;

namespace StoryEngine.Storage.Backups;

/// <summary>A table a backup carries, with the columns it reads and writes.</summary>
public sealed record BackupTable(string Name, IReadOnlyList<TableColumn> Columns);

/// <summary>The live schema as a backup sees it: tables in an order in which they can be loaded.</summary>
public static class BackupSchema
{
    public static async Task<IReadOnlyList<BackupTable>> TablesAsync(
        IBackupSql sql,
        DbConnection connection,
        DbTransaction? transaction,
        CancellationToken cancellationToken
    )
    {
        var columns = await connection.QueryAsync<(string TableName, string ColumnName, string Type)>(
            new CommandDefinition(sql.Columns, transaction: transaction, cancellationToken: cancellationToken)
        );
        var tables = columns
            .GroupBy(c => c.TableName, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new BackupTable(
                    g.Key,
                    g.Select(c => new TableColumn(c.TableName, c.ColumnName, c.Type)).ToArray()
                ),
                StringComparer.Ordinal
            );
        var edges = await connection.QueryAsync<(string TableName, string DependsOn)>(
            new CommandDefinition(sql.Dependencies, transaction: transaction, cancellationToken: cancellationToken)
        );
        return Order(tables, edges.ToLookup(e => e.TableName, e => e.DependsOn, StringComparer.Ordinal));
    }

    /// <summary>Dependencies first, otherwise by name, so the order is the same on every run.</summary>
    private static List<BackupTable> Order(Dictionary<string, BackupTable> tables, ILookup<string, string> dependsOn)
    {
        var ordered = new List<BackupTable>(tables.Count);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: placed
        foreach (var name in tables.Keys.Order(StringComparer.Ordinal))
        {
            Visit(name);
        }
        return ordered;

        void Visit(string name)
        {
            if (!tables.ContainsKey(name) || state.ContainsKey(name))
            {
                return; // not carried (an index table), placed already, or a cycle, which plain order then breaks
            }
            state[name] = false;
            foreach (var other in dependsOn[name].Order(StringComparer.Ordinal))
            {
                Visit(other);
            }
            state[name] = true;
            ordered.Add(tables[name]);
        }
    }
}
