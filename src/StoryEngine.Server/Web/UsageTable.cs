using StoryEngine.Core.Usage;

namespace StoryEngine.Server.Web;

/// <summary>One table of the usage page: what its rows are (a day, a model, a purpose) and their totals.</summary>
public sealed record UsageTable(
    string Id,
    string Caption,
    string Heading,
    IReadOnlyList<(string Label, UsageTotals Totals)> Rows
)
{
    public static UsageTable ByDay(UsageBreakdown usage) =>
        new("usage-by-day", "By day (UTC)", "Day", usage.ByDay.Select(d => (d.Day, d.Totals)).ToArray());

    public static UsageTable ByModel(UsageBreakdown usage) =>
        new(
            "usage-by-model",
            "By model",
            "Backend · model",
            usage.ByModel.Select(m => ($"{m.Backend ?? "(none)"} · {m.Model ?? "(none)"}", m.Totals)).ToArray()
        );

    public static UsageTable ByPurpose(UsageBreakdown usage) =>
        new("usage-by-purpose", "By purpose", "Purpose", usage.ByPurpose.Select(p => (p.Purpose, p.Totals)).ToArray());
}
