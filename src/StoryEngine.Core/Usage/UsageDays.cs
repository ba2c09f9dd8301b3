using System.Globalization;

namespace StoryEngine.Core.Usage;

/// <summary>Usage is counted in UTC days and months: quotas reset at UTC midnight and on the first of the
/// month.</summary>
public static class UsageDays
{
    public const string Format = "yyyy-MM-dd";

    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset StartOfDay(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    public static DateTimeOffset StartOfMonth(DateTimeOffset now) =>
        new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
}
