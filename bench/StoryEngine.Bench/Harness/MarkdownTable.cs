namespace StoryEngine.Bench.Harness;

/// <summary>Collects rows and prints them as a GitHub markdown table.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells (got {cells.Length}).", nameof(cells));
        }
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter output)
    {
        output.WriteLine("| " + string.Join(" | ", headers) + " |");
        output.WriteLine("|" + string.Concat(headers.Select(_ => "---|")));
        foreach (var row in _rows)
        {
            output.WriteLine("| " + string.Join(" | ", row) + " |");
        }
        output.WriteLine();
    }
}
