using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using StoryEngine.Storage.DataRights;

namespace StoryEngine.Storage.Backups;

/// <summary>Reads a table's rows, and writes rows into a table in batches, converting values to its column
/// types.</summary>
public static class TableCopy
{
    // Both engines take far more parameters than this per statement (SQLite 32,766, PostgreSQL 65,535).
    private const int MaxParameters = 10_000;

    public static async IAsyncEnumerable<object?[]> ReadAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string table,
        IReadOnlyList<string> columns,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(Quote))} FROM {Quote(table)}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            yield return row;
        }
    }

    /// <summary>Inserts <paramref name="rows"/> (values in the order of <paramref name="columns"/>); returns what was
    /// written.</summary>
    public static async Task<TableDigest> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        IReadOnlyList<TableColumn> columns,
        IAsyncEnumerable<object?[]> rows,
        CancellationToken cancellationToken
    )
    {
        var digest = new TableDigest();
        var batchSize = Math.Max(1, MaxParameters / Math.Max(1, columns.Count));
        var batch = new List<object?[]>(batchSize);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var converted = new object?[columns.Count];
            for (var i = 0; i < converted.Length; i++)
            {
                converted[i] = Convert(row[i], columns[i]);
            }
            digest.Add(converted);
            batch.Add(converted);
            if (batch.Count == batchSize)
            {
                await FlushAsync(connection, transaction, table, columns, batch, cancellationToken);
            }
        }
        await FlushAsync(connection, transaction, table, columns, batch, cancellationToken);
        return digest;
    }

    public static string Quote(string identifier) =>
        "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task FlushAsync(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        IReadOnlyList<TableColumn> columns,
        List<object?[]> batch,
        CancellationToken cancellationToken
    )
    {
        if (batch.Count == 0)
        {
            return;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder(
            $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.Column)))}) VALUES "
        );
        var n = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = "@p" + n++.ToString(CultureInfo.InvariantCulture);
                sql.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = batch[r][c] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(cancellationToken);
        batch.Clear();
    }

    /// <summary>
    /// A value as the target column holds it. SQLite keeps whatever it was given, so a backup from it may carry a
    /// number in a text column; PostgreSQL would refuse that.
    /// </summary>
    private static object? Convert(object? value, TableColumn column) =>
        value switch
        {
            null => null,
            string s
                when IsInteger(column)
                    && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            long or double when column.IsText => System.Convert.ToString(value, CultureInfo.InvariantCulture),
            double d when IsInteger(column) && d == Math.Floor(d) => (long)d,
            _ => value,
        };

    private static bool IsInteger(TableColumn column) =>
        column.Type.Contains("INT", StringComparison.OrdinalIgnoreCase);
}
