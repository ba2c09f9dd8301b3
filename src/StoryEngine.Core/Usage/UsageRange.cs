using System.Globalization;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Usage;

/// <summary>Whole UTC days, both ends included, as <c>yyyy-MM-dd</c>; by default the month so far.</summary>
public sealed record UsageRange(string From, string To)
{
    public const int MaxDays = 366;

    public static UsageRange Parse(string? from, string? to, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        var first = ParseDay(errors, "from", from) ?? DateOnly.FromDateTime(UsageDays.StartOfMonth(now).UtcDateTime);
        var last = ParseDay(errors, "to", to) ?? DateOnly.FromDateTime(now.UtcDateTime);
        errors.ThrowIfAny();
        if (last < first)
        {
            errors.Add("to", "to must not be before from.");
        }
        else if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            errors.Add("to", $"A range may span at most {MaxDays} days.");
        }
        errors.ThrowIfAny();
        return new UsageRange(
            first.ToString(UsageDays.Format, CultureInfo.InvariantCulture),
            last.ToString(UsageDays.Format, CultureInfo.InvariantCulture)
        );
    }

    private static DateOnly? ParseDay(FieldErrors errors, string field, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (
            DateOnly.TryParseExact(
                text,
                UsageDays.Format,
                CultureInfo.InvariantCulture,
                DateTimeStyles.None,
                out var day
            )
        )
        {
            return day;
        }
        errors.Add(field, $"{field} must be a date as yyyy-MM-dd (UTC).");
        return null;
    }
}
