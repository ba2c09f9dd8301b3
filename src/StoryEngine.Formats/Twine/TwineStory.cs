using System.Text.RegularExpressions;

namespace StoryEngine.Formats.Twine;

/// <summary>A Twine story as both of Twine's files describe it (Twee 3, and the Twine 2 HTML of an archive or a
/// published story): its data, its passages in order, and the story's own script and stylesheet.</summary>
public sealed record TwineStory
{
    public required string Name { get; init; }
    public string? Ifid { get; init; }
    public string? Format { get; init; }
    public string? FormatVersion { get; init; }

    /// <summary>The name of the start passage; null means Twine's default (the passage named "Start", else the
    /// first).</summary>
    public string? Start { get; init; }

    public string? Zoom { get; init; }
    public string? Creator { get; init; }
    public string? CreatorVersion { get; init; }

    /// <summary>Twee's "tag-colors" object, kept as its JSON.</summary>
    public string? TagColors { get; init; }

    public IReadOnlyList<TwinePassage> Passages { get; init; } = [];
    public string Script { get; init; } = "";
    public string Stylesheet { get; init; } = "";
}

/// <summary>One passage: its name, tags, text, and Twine's position and size ("x,y", "w,h") when known.</summary>
public sealed record TwinePassage(
    string Name,
    IReadOnlyList<string> Tags,
    string Text,
    string? Position = null,
    string? Size = null
);

/// <summary>A link in a passage's text: what it shows and the passage it leads to.</summary>
public sealed record TwineLink(string Label, string Target);

/// <summary>Twine's link syntax, the same in every story format: <c>[[Target]]</c>, <c>[[Label|Target]]</c>,
/// <c>[[Label-&gt;Target]]</c>, <c>[[Target&lt;-Label]]</c>; SugarCube's setter (<c>[[a|b][$x to 1]]</c>) is
/// ignored.</summary>
public static partial class TwineLinks
{
    public static IReadOnlyList<TwineLink> In(string text)
    {
        var links = new List<TwineLink>();
        foreach (Match match in LinkPattern().Matches(text))
        {
            var inner = match.Groups["inner"].Value;
            if (inner.Length == 0 || inner.StartsWith('[') || inner.Contains('\n', StringComparison.Ordinal))
            {
                continue; // a nested array in a macro ([[0,1],[1,0]]), not a link
            }
            TwineLink link;
            var arrow = inner.LastIndexOf("->", StringComparison.Ordinal);
            var back = inner.IndexOf("<-", StringComparison.Ordinal);
            var bar = inner.IndexOf('|', StringComparison.Ordinal);
            if (arrow >= 0)
            {
                link = new(inner[..arrow], inner[(arrow + 2)..]);
            }
            else if (back >= 0)
            {
                link = new(inner[(back + 2)..], inner[..back]);
            }
            else if (bar >= 0)
            {
                link = new(inner[..bar], inner[(bar + 1)..]);
            }
            else
            {
                link = new(inner, inner);
            }
            var target = link.Target.Trim();
            if (target.Length == 0 || LooksLikeCode(target))
            {
                continue;
            }
            links.Add(link with { Label = link.Label.Trim(), Target = target });
        }
        return links;
    }

    // [[0,0,1]] in SugarCube's StoryInit is an array, not a passage.
    private static bool LooksLikeCode(string target) => target.All(c => char.IsDigit(c) || c is ',' or ' ' or '.');

    [GeneratedRegex(@"\[\[(?<inner>[^\[\]]*?)\](?:\[[^\]]*\])?\]")]
    private static partial Regex LinkPattern();
}
