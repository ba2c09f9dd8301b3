using System.Globalization;
using System.Text;

namespace StoryEngine.Core.Narration;

/// <summary>
/// What the macros of one text stand for. <see cref="Char"/> and <see cref="User"/> are names already made safe for a
/// prompt; <see cref="Original"/> is what a card's system prompt or post-history instructions replace; <see
/// cref="Now"/> is the server's local time (from its <see cref="TimeProvider"/>); <see cref="LastAction"/> is when the
/// player last acted before this turn (<c>{{idle_duration}}</c>); <see cref="Seed"/> keeps <c>{{pick}}</c> the same
/// for one turn of one adventure.
/// </summary>
public sealed record MacroContext(
    string Char,
    string User,
    DateTimeOffset Now,
    string Seed,
    DateTimeOffset? LastAction = null,
    string Original = ""
)
{
    /// <summary>SillyTavern's name for a user without a persona.</summary>
    public const string DefaultUser = "User";

    /// <summary>What <c>{{char}}</c> means in an adventure without characters.</summary>
    public const string DefaultChar = "Narrator";

    /// <summary>For tests and texts outside an adventure: no seed, the names given, the time given.</summary>
    public static MacroContext For(string? character, string? user, DateTimeOffset now, string seed = "") =>
        new(
            string.IsNullOrWhiteSpace(character) ? DefaultChar : PromptText.Clean(character),
            string.IsNullOrWhiteSpace(user) ? DefaultUser : PromptText.Clean(user),
            now,
            seed
        );
}

/// <summary>
/// SillyTavern's macros (<c>{{char}}</c>, <c>{{user}}</c>, <c>{{random:a,b}}</c>, …, and the legacy <c>&lt;USER&gt;</c>
/// and <c>&lt;BOT&gt;</c>) replaced in one pass over the text, as docs/adr/0035-macros-in-one-pass.md explains. Names
/// are case-insensitive; a macro this engine does not know is left exactly as written, as SillyTavern leaves it.
/// Every text that reaches the model or the player goes through <see cref="Apply"/>: card fields, greetings, lore,
/// persona, world fields, notes.
/// </summary>
public static class Macros
{
    /// <summary>The text with every known macro replaced; the same string when it has none.</summary>
    public static string Apply(string? text, MacroContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var first = text.AsSpan().IndexOfAny('{', '<');
        if (first < 0)
        {
            return text;
        }
        var output = new StringBuilder(text.Length + 32);
        output.Append(text, 0, first);
        var i = first;
        var skipNewlines = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (skipNewlines && c is '\n' or '\r')
            {
                i++;
                continue;
            }
            skipNewlines = false;
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                i = Braced(text, i, context, output, ref skipNewlines);
            }
            else if (c == '<' && Legacy(text, i, context) is { } legacy)
            {
                output.Append(legacy.Value);
                i += legacy.Length;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }
        return output.ToString();
    }

    // One {{…}} starting at `start`; returns where scanning goes on.
    private static int Braced(string text, int start, MacroContext context, StringBuilder output, ref bool trim)
    {
        var bodyStart = start + 2;
        var end = text.IndexOf("}}", bodyStart, StringComparison.Ordinal);
        if (end < 0)
        {
            output.Append(text, start, text.Length - start);
            return text.Length;
        }
        var body = text.AsSpan(bodyStart, end - bodyStart);
        var next = end + 2;
        if (body.StartsWith("//"))
        {
            return next; // {{// a note for people}}: SillyTavern drops it, even across lines
        }
        if (body.Equals("trim", StringComparison.OrdinalIgnoreCase))
        {
            // SillyTavern's \n*{{trim}}\n*: the newlines on both sides go.
            while (output.Length > 0 && output[^1] is '\n' or '\r')
            {
                output.Length--;
            }
            trim = true;
            return next;
        }
        if (Replacement(body, text, start, context) is { } value)
        {
            output.Append(value);
            return next;
        }
        // Unknown: left as written, and scanning resumes inside it so "{{{{char}}" still finds the inner macro.
        output.Append("{{");
        return bodyStart;
    }

    private static string? Replacement(ReadOnlySpan<char> body, string raw, int offset, MacroContext context)
    {
        var split = body.IndexOfAny(':', ' ');
        var name = split < 0 ? body : body[..split];
        var args = split < 0 ? [] : body[split..];
        if (split < 0)
        {
            return Simple(name, context);
        }
        if (name.Equals("random", StringComparison.OrdinalIgnoreCase) && ListArgument(args) is { } randomList)
        {
            return randomList.Count == 0 ? "" : randomList[Random.Shared.Next(randomList.Count)];
        }
        if (name.Equals("pick", StringComparison.OrdinalIgnoreCase) && ListArgument(args) is { } pickList)
        {
            return pickList.Count == 0 ? "" : pickList[Pick(context.Seed, raw, offset, pickList.Count)];
        }
        if (name.Equals("roll", StringComparison.OrdinalIgnoreCase) && args.Length > 1)
        {
            return Roll(args[1..].Trim());
        }
        return null;
    }

    private static string? Simple(ReadOnlySpan<char> name, MacroContext context)
    {
        var culture = CultureInfo.InvariantCulture;
        return name switch
        {
            _ when Is(name, "char") => context.Char,
            _ when Is(name, "user") => context.User,
            _ when Is(name, "original") => context.Original,
            _ when Is(name, "newline") => "\n",
            _ when Is(name, "noop") => "",
            // SillyTavern formats with moment's English locale: "3:07 PM", "December 7, 2026", "Monday".
            _ when Is(name, "time") => context.Now.ToString("h:mm tt", culture),
            _ when Is(name, "date") => context.Now.ToString("MMMM d, yyyy", culture),
            _ when Is(name, "weekday") => context.Now.ToString("dddd", culture),
            _ when Is(name, "isotime") => context.Now.ToString("HH:mm", culture),
            _ when Is(name, "isodate") => context.Now.ToString("yyyy-MM-dd", culture),
            _ when Is(name, "idle_duration") => context.LastAction is { } last
                ? Humanize(context.Now - last)
                : "just now",
            _ => null,
        };
    }

    private static bool Is(ReadOnlySpan<char> name, string macro) =>
        name.Equals(macro, StringComparison.OrdinalIgnoreCase);

    // SillyTavern's `random\s?::?(list)`: an optional space, then ':' or '::'. A list with '::' splits on it as is;
    // otherwise on commas (a '\,' is a comma inside an item), each item trimmed.
    private static List<string>? ListArgument(ReadOnlySpan<char> args)
    {
        if (args.Length > 0 && args[0] == ' ')
        {
            args = args[1..];
        }
        if (args.Length == 0 || args[0] != ':')
        {
            return null;
        }
        args = args[1..];
        if (args.Length > 0 && args[0] == ':')
        {
            args = args[1..];
        }
        var list = args.ToString();
        if (list.Length == 0)
        {
            return null;
        }
        if (list.Contains("::", StringComparison.Ordinal))
        {
            return [.. list.Split("::")];
        }
        return
        [
            .. list.Replace("\\,", "\u0001", StringComparison.Ordinal)
                .Split(',')
                .Select(item => item.Trim().Replace('\u0001', ',')),
        ];
    }

    // The same item every time for one turn (Seed), this text and this place in it, as SillyTavern seeds by chat, raw
    // content and offset. Random(int) with a seed is the same sequence on every .NET version and machine.
    private static int Pick(string seed, string raw, int offset, int count)
    {
        var hash = Fnv(Fnv(Fnv(2166136261u, seed), raw), offset.ToString(CultureInfo.InvariantCulture));
        return new Random((int)(hash & 0x7FFFFFFF)).Next(count);
    }

    private static uint Fnv(uint hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    // {{roll:2d6}}, {{roll 20}} (a bare number is 1dN), {{roll:1d20+3}}, and everything else the tabletop dice engine
    // reads (4d6dl1, 1d20adv, 3d6!; issue 23). Anything it refuses rolls to "" as in SillyTavern.
    private static string Roll(ReadOnlySpan<char> formula)
    {
        var expression = formula.ToString();
        if (int.TryParse(formula, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            expression = "1d" + expression;
        }
        try
        {
            return Tabletop.Dice.DiceRoller.Crypto.Roll(expression).Total.ToString(CultureInfo.InvariantCulture);
        }
        catch (Errors.StoryEngineException)
        {
            return "";
        }
    }

    private static (string Value, int Length)? Legacy(string text, int at, MacroContext context)
    {
        var rest = text.AsSpan(at);
        if (rest.StartsWith("<USER>", StringComparison.OrdinalIgnoreCase))
        {
            return (context.User, 6);
        }
        if (rest.StartsWith("<BOT>", StringComparison.OrdinalIgnoreCase))
        {
            return (context.Char, 5);
        }
        return rest.StartsWith("<CHAR>", StringComparison.OrdinalIgnoreCase) ? (context.Char, 6) : null;
    }

    // moment's humanize(), which SillyTavern's {{idle_duration}} uses: "a few seconds", "5 minutes", "an hour", …
    private static string Humanize(TimeSpan span)
    {
        var s = Math.Max(0, span.TotalSeconds);
        var culture = CultureInfo.InvariantCulture;
        string Of(double value, string unit) => $"{Math.Round(value).ToString(culture)} {unit}";
        return s switch
        {
            < 45 => "a few seconds",
            < 90 => "a minute",
            < 45 * 60 => Of(s / 60, "minutes"),
            < 90 * 60 => "an hour",
            < 22 * 3600 => Of(s / 3600, "hours"),
            < 36 * 3600 => "a day",
            < 26 * 86400 => Of(s / 86400, "days"),
            < 45 * 86400 => "a month",
            < 320 * 86400 => Of(s / (30.4 * 86400), "months"),
            < 548 * 86400 => "a year",
            _ => Of(s / (365.25 * 86400), "years"),
        };
    }
}
