namespace StoryEngine.Server.Web;

/// <summary>How form fields become the values the application services take, and back.</summary>
public static class FormText
{
    /// <summary>"mystery, coast" → ["mystery", "coast"]: tags and lore keys are typed as one comma-separated
    /// field.</summary>
    public static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static string Join(IEnumerable<string> items) => string.Join(", ", items);

    /// <summary>Paragraphs of a narration, split on blank lines, for reading.</summary>
    public static IEnumerable<string> Paragraphs(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static string Excerpt(string text, int length = 160) =>
        text.Length <= length ? text : text[..length].TrimEnd() + "…";
}
