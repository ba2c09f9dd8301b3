using System.Globalization;
using System.Text.RegularExpressions;

namespace StoryEngine.Core.Tabletop;

/// <summary>A check the narrator asked the player to roll, written at the end of its reply because its backend takes
/// no tools: <c>[[check: Stealth DC 15 | sneaking past the guard]]</c>.</summary>
public sealed record CheckRequest(string RequestId, string Skill, int? Dc, string? Reason);

/// <summary>Reads the marked requests out of a narration (issue 23: "without tool support, the narrator's reply may
/// end with a marked request that the player resolves with one click").</summary>
public static partial class CheckRequests
{
    /// <summary>The marker the prompt teaches, as the narrator should write it.</summary>
    public const string Example = "[[check: Stealth DC 15 | sneaking past the guard]]";

    public static IReadOnlyList<CheckRequest> Read(string narration, string turnId, int alternative)
    {
        ArgumentNullException.ThrowIfNull(narration);
        return
        [
            .. Marker()
                .Matches(narration)
                .Take(5)
                .Select(
                    (m, i) =>
                        new CheckRequest(
                            string.Create(CultureInfo.InvariantCulture, $"{turnId}.{alternative}.{i}"),
                            m.Groups["skill"].Value.Trim(),
                            m.Groups["dc"].Success
                                ? int.Parse(m.Groups["dc"].Value, NumberStyles.None, CultureInfo.InvariantCulture)
                                : null,
                            m.Groups["reason"].Success && m.Groups["reason"].Value.Trim().Length > 0
                                ? m.Groups["reason"].Value.Trim()
                                : null
                        )
                ),
        ];
    }

    /// <summary>The narration without its markers, for reading aloud.</summary>
    public static string Strip(string narration) => Marker().Replace(narration, "").TrimEnd();

    [GeneratedRegex(
        @"\[\[\s*check\s*:\s*(?<skill>[A-Za-z][A-Za-z ]{0,40}?)\s*(?:DC\s*(?<dc>\d{1,3}))?\s*"
            + @"(?:\|\s*(?<reason>[^\]\n]{0,300}))?\]\]",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex Marker();
}
