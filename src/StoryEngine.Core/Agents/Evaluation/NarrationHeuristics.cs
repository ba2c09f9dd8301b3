using System.Text.RegularExpressions;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Evaluation;

/// <summary>
/// Checks a narration can be given without a model (issue 22): its length, how much it repeats the recent turns,
/// whether it speaks or acts for the player's character, whether it refuses like an assistant, and whether macros were
/// left unreplaced. Each check scores 0–1 (1 is best); the evaluation's score is their mean. The version changes
/// whenever a rule changes, so scores of different versions are never compared as one.
/// </summary>
public static partial class NarrationHeuristics
{
    public const string Version = "heuristics-1";

    public const int TooFewWords = 15;

    private const string PlayerVerbs = @"(says|said|replies|replied|asks|asked|decides|decided|answers|answered)\b";
    public const int TooManyWords = 700;

    public static IReadOnlyList<EvaluationCheck> Evaluate(
        string narration,
        IReadOnlyList<string> recentNarrations,
        string? playerName
    )
    {
        ArgumentNullException.ThrowIfNull(narration);
        ArgumentNullException.ThrowIfNull(recentNarrations);
        return
        [
            Length(narration),
            Repetition(narration, recentNarrations),
            PlayerAgency(narration, playerName),
            Refusal(narration),
            Macros(narration),
        ];
    }

    public static double Score(IReadOnlyList<EvaluationCheck> checks) =>
        checks.Count == 0 ? 1 : Math.Round(checks.Average(c => c.Score), 3);

    private static EvaluationCheck Length(string narration)
    {
        var words = Words(narration).Count;
        return words switch
        {
            0 => new("length", 0, "empty"),
            < TooFewWords => new("length", Math.Round((double)words / TooFewWords, 3), $"{words} words: too short"),
            > TooManyWords => new("length", 0.5, $"{words} words: too long"),
            _ => new("length", 1),
        };
    }

    /// <summary>The share of the narration's five-word runs that already appeared in the recent narrations.</summary>
    private static EvaluationCheck Repetition(string narration, IReadOnlyList<string> recent)
    {
        var shingles = Shingles(narration);
        if (shingles.Count == 0 || recent.Count == 0)
        {
            return new("repetition", 1);
        }
        var before = recent.SelectMany(Shingles).ToHashSet(StringComparer.Ordinal);
        var repeated = shingles.Count(before.Contains);
        var share = (double)repeated / shingles.Count;
        return share < 0.1
            ? new("repetition", 1)
            : new("repetition", Math.Round(1 - share, 3), $"{share:P0} of it repeats the last {recent.Count} turns");
    }

    private static EvaluationCheck PlayerAgency(string narration, string? playerName)
    {
        var findings = new List<string>();
        if (SecondPersonSpeech().Match(narration) is { Success: true } you)
        {
            findings.Add($"'{you.Value}'");
        }
        if (
            !string.IsNullOrWhiteSpace(playerName)
            && Regex.Match(
                narration,
                $@"\b{Regex.Escape(playerName)}\s+" + PlayerVerbs,
                RegexOptions.IgnoreCase,
                TimeSpan.FromSeconds(1)
            )
                is { Success: true } named
        )
        {
            findings.Add($"'{named.Value}'");
        }
        return findings.Count == 0
            ? new("player_agency", 1)
            : new("player_agency", 0, "speaks or decides for the player: " + string.Join(", ", findings));
    }

    private static EvaluationCheck Refusal(string narration) =>
        RefusalPattern().Match(narration) is { Success: true } refusal
            ? new("refusal", 0, $"'{refusal.Value}'")
            : new("refusal", 1);

    private static EvaluationCheck Macros(string narration)
    {
        var left = MacroPattern().Matches(narration).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToArray();
        return left.Length == 0 ? new("macros", 1) : new("macros", 0, "unreplaced: " + string.Join(", ", left));
    }

    private static List<string> Words(string text) =>
        [.. WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value)];

    private static HashSet<string> Shingles(string text)
    {
        var words = Words(text);
        var shingles = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 5 <= words.Count; i++)
        {
            shingles.Add(string.Join(' ', words.GetRange(i, 5)));
        }
        return shingles;
    }

    [GeneratedRegex(@"[\p{L}\p{N}']+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(
        @"\byou (say|said|reply|replied|answer|answered|decide|decided|agree|agreed|whisper|whispered|shout|shouted)\b",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex SecondPersonSpeech();

    [GeneratedRegex(
        @"\b(as an ai|as a language model|i cannot (help|assist|continue|write)|i can't (help|assist|continue|write)|"
            + @"i'm sorry, but i|i am sorry, but i|i won't be able to)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex RefusalPattern();

    [GeneratedRegex(@"\{\{[^{}\s]{1,40}\}\}|<(USER|BOT|CHAR)>", RegexOptions.IgnoreCase)]
    private static partial Regex MacroPattern();
}
