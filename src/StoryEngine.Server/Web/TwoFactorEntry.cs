namespace StoryEngine.Server.Web;

/// <summary>
/// Pages take the second factor in one field, as people have it: six digits from the authenticator, or one of the
/// recovery codes. The services take them apart (the API has two fields), so the page decides which one was typed.
/// </summary>
public static class TwoFactorEntry
{
    public static (string? Code, string? RecoveryCode) Split(string? entered)
    {
        var text = entered?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }
        var digits = text.Replace(" ", "", StringComparison.Ordinal);
        return digits is { Length: 6 } && digits.All(char.IsAsciiDigit) ? (digits, null) : (null, text);
    }

    /// <summary>"ABCDEFGH…" as "ABCD EFGH …": easier to read off the screen and type into an app.</summary>
    public static string Grouped(string secret) =>
        string.Join(
            ' ',
            Enumerable
                .Range(0, (secret.Length + 3) / 4)
                .Select(i => secret.Substring(i * 4, Math.Min(4, secret.Length - i * 4)))
        );
}
