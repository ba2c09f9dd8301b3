using System.Text.RegularExpressions;

namespace StoryEngine.Core.Lore;

/// <summary>
/// Entry keys are plain text unless written as a JavaScript regex literal, <c>/pattern/flags</c>: SillyTavern's
/// convention (../shared/specs/character-cards.md §6), which its exports rely on while setting <c>use_regex</c> on
/// every entry, plain words included. Patterns run with a match timeout so one bad key cannot stall a turn.
/// </summary>
public static partial class LoreKeys
{
    /// <summary>The longest a single key match may take before it counts as no match.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>True when <paramref name="key"/> is a regex literal (SillyTavern's
    /// <c>/^\/([\w\W]+?)\/([gimsuy]*)$/</c>).</summary>
    public static bool IsRegex(string key) => RegexLiteral().IsMatch(key);

    /// <summary>
    /// Compiles a regex key; null when <paramref name="key"/> is plain text. Flags: <c>i</c> ignores case, <c>m</c> and
    /// <c>s</c> mean what they mean in JavaScript, <c>g</c>, <c>y</c> and <c>u</c> change nothing for a yes/no match.
    /// A regex key's case follows its own flags, not the entry's case sensitivity, as in SillyTavern.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern does not compile.</exception>
    public static Regex? Compile(string key)
    {
        var literal = RegexLiteral().Match(key);
        if (!literal.Success)
        {
            return null;
        }
        var flags = literal.Groups["flags"].Value;
        var options = RegexOptions.CultureInvariant;
        if (flags.Contains('i', StringComparison.Ordinal))
        {
            options |= RegexOptions.IgnoreCase;
        }
        if (flags.Contains('m', StringComparison.Ordinal))
        {
            options |= RegexOptions.Multiline;
        }
        if (flags.Contains('s', StringComparison.Ordinal))
        {
            options |= RegexOptions.Singleline;
        }
        return new Regex(literal.Groups["pattern"].Value, options, MatchTimeout);
    }

    /// <summary>Why a key cannot be used, or null when it can. Empty keys are allowed: they never match (issue
    /// 5).</summary>
    public static string? Problem(string key)
    {
        try
        {
            Compile(key);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"\"{key}\" is not a valid regular expression: {e.Message}";
        }
    }

    [GeneratedRegex(@"^/(?<pattern>[\w\W]+?)/(?<flags>[gimsuy]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex RegexLiteral();
}
