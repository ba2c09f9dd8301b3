using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// Runs a measurement several times and prints it once, with every numeric table cell replaced by the median of the
/// rounds and their spread, <c>median (min–max)</c>, and the machine's load average around each round (issue 19:
/// figures quoted from a single run did not reproduce). Labels and prose come from the first round; a round whose
/// tables do not line up with the first one's (a different number of rows) is printed whole instead.
/// </summary>
internal static partial class Rounds
{
    public static async Task RunAsync(
        int rounds,
        Func<TextWriter, Task> measure,
        TextWriter output,
        CancellationToken cancellationToken
    )
    {
        if (rounds <= 1)
        {
            await measure(output);
            return;
        }
        var texts = new List<string>();
        var loads = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            Console.Error.WriteLine($"   round {round} of {rounds}");
            var before = LoadAverage();
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            await measure(writer);
            texts.Add(writer.ToString());
            loads.Add($"round {round}: {before} → {LoadAverage()}");
            cancellationToken.ThrowIfCancellationRequested();
        }
        output.Write(Combine(texts));
        output.WriteLine();
        output.WriteLine(
            $"_{rounds} rounds: each number above is the median of the rounds, with the lowest and highest in "
                + $"brackets. Load average (1, 5, 15 min) before → after each round: {string.Join("; ", loads)}._"
        );
        output.WriteLine();
    }

    /// <summary>The first round's text with each table cell that is a number in every round replaced by the
    /// median and spread.</summary>
    internal static string Combine(IReadOnlyList<string> texts)
    {
        var lines = texts.Select(t => t.Split('\n')).ToArray();
        var first = lines[0];
        var tableRows = lines.Select(l => l.Where(IsTableRow).ToArray()).ToArray();
        if (tableRows.Any(rows => rows.Length != tableRows[0].Length))
        {
            return string.Join("\n", texts.Select((t, i) => $"#### Round {i + 1}\n\n{t}"));
        }
        var result = new StringBuilder();
        var row = 0;
        foreach (var line in first)
        {
            if (!IsTableRow(line))
            {
                result.Append(line).Append('\n');
                continue;
            }
            var cells = tableRows.Select(rows => Cells(rows[row])).ToArray();
            row++;
            if (cells.Any(c => c.Length != cells[0].Length))
            {
                result.Append(line).Append('\n');
                continue;
            }
            var combined = Enumerable.Range(0, cells[0].Length).Select(i => Cell(cells.Select(c => c[i]).ToArray()));
            result.Append("| ").Append(string.Join(" | ", combined)).Append(" |\n");
        }
        return result.ToString().TrimEnd('\n') + "\n";
    }

    private static bool IsTableRow(string line) =>
        line.StartsWith('|') && !line.StartsWith("|---", StringComparison.Ordinal);

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static string Cell(string[] rounds)
    {
        var parsed = rounds.Select(c => NumberWithUnit().Match(c)).ToArray();
        if (parsed.Any(m => !m.Success) || parsed.Select(m => m.Groups["unit"].Value).Distinct().Count() != 1)
        {
            return rounds[0];
        }
        var values = parsed
            .Select(m =>
                double.Parse(
                    m.Groups["number"].Value.Replace(",", "", StringComparison.Ordinal),
                    CultureInfo.InvariantCulture
                )
            )
            .Order()
            .ToArray();
        var decimals = parsed.Max(m => m.Groups["number"].Value.Split('.') is [_, var d] ? d.Length : 0);
        var unit = parsed[0].Groups["unit"].Value;
        var median =
            values.Length % 2 == 1
                ? values[values.Length / 2]
                : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
        string Format(double v) => v.ToString("N" + decimals, CultureInfo.InvariantCulture);
        return values[0] == values[^1]
            ? rounds[0]
            : $"{Format(median)}{unit} ({Format(values[0])}–{Format(values[^1])})";
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    // A whole cell that is one number with an optional unit after it: "0.446 ms", "1,234", "97.3%", "12 KB".
    [GeneratedRegex(@"^(?<number>-?[0-9][0-9,]*(\.[0-9]+)?)(?<unit>\s?(ms|s|%|KB|MB|KiB|MiB|B|req/s|/s)?)$")]
    private static partial Regex NumberWithUnit();
}
