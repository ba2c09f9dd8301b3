using System.Globalization;
using StoryEngine.Core.Errors;

namespace StoryEngine.Server.Web;

/// <summary>
/// The quota boxes of the admin's users page. A box left empty is "the tier's quota" (null, as in the API); anything
/// else must be a whole number, refused by name rather than quietly read as empty (which would lift the limit).
/// </summary>
public static class QuotaForm
{
    public static (long? Daily, long? Monthly) Parse(string? daily, string? monthly)
    {
        var errors = new FieldErrors();
        var result = (
            Number(errors, "dailyTokens", "Daily tokens", daily),
            Number(errors, "monthlyTokens", "Monthly tokens", monthly)
        );
        errors.ThrowIfAny();
        return result;
    }

    private static long? Number(FieldErrors errors, string field, string label, string? text)
    {
        var trimmed = text
            ?.Trim()
            .Replace(",", "", StringComparison.Ordinal)
            .Replace("_", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add(field, $"{label} must be a whole number of tokens, or empty for the tier's quota.");
        return null;
    }
}
