using System.Globalization;
using System.Text.RegularExpressions;

namespace StoryEngine.Core.Scenarios;

/// <summary>
/// The small language of a choice's condition: clauses joined by <c>and</c> / <c>or</c> (<c>and</c> binds tighter),
/// each optionally preceded by <c>not</c>. A clause is a flag (<c>has_key</c>: set and not "false"/"0"), a comparison
/// (<c>gold &gt;= 3</c>, <c>mood == angry</c>), a roll (<c>roll 1d20 &gt;= 12</c>), or a world-state name under
/// <c>state.</c> (<c>state.timeOfDay == night</c>), which validation does not check against the declared flags.
/// </summary>
public static partial class ScenarioConditions
{
    public sealed record Clause(bool Negated, string? Name, string? Op, string? Value, int Dice = 0, int Sides = 0);

    /// <summary>Disjunctive form: the condition holds when every clause of any group holds.</summary>
    public sealed record Parsed(IReadOnlyList<IReadOnlyList<Clause>> Groups, string? Error)
    {
        public IEnumerable<string> Names =>
            Groups.SelectMany(g => g).Where(c => c.Name is not null).Select(c => c.Name!);
    }

    public static bool IsName(string? name) => name is { Length: > 0 and <= 64 } && NamePattern().IsMatch(name);

    public static Parsed Parse(string condition)
    {
        var groups = new List<IReadOnlyList<Clause>>();
        foreach (var alternative in Split(condition, "or"))
        {
            var clauses = new List<Clause>();
            foreach (var part in Split(alternative, "and"))
            {
                var text = part.Trim();
                var negated = false;
                if (text.StartsWith("not ", StringComparison.OrdinalIgnoreCase))
                {
                    negated = true;
                    text = text[4..].Trim();
                }
                else if (text.StartsWith('!'))
                {
                    negated = true;
                    text = text[1..].Trim();
                }
                var match = ClausePattern().Match(text);
                if (!match.Success)
                {
                    return new(
                        [],
                        $"'{part.Trim()}' is not a condition: write a flag, 'name >= 3' or 'roll 1d20 >= 12'."
                    );
                }
                if (match.Groups["dice"].Success)
                {
                    var dice = int.Parse(match.Groups["dice"].Value, CultureInfo.InvariantCulture);
                    var sides = int.Parse(match.Groups["sides"].Value, CultureInfo.InvariantCulture);
                    if (dice is < 1 or > 20 || sides is < 2 or > 1000 || !match.Groups["op"].Success)
                    {
                        return new([], $"'{text}': a roll is 'roll NdM op value' with 1–20 dice of 2–1000 sides.");
                    }
                    clauses.Add(new(negated, null, match.Groups["op"].Value, match.Groups["value"].Value, dice, sides));
                    continue;
                }
                clauses.Add(
                    new(
                        negated,
                        match.Groups["name"].Value,
                        match.Groups["op"].Success ? match.Groups["op"].Value : null,
                        match.Groups["value"].Success ? match.Groups["value"].Value.Trim('"', '\'') : null
                    )
                );
            }
            if (clauses.Count == 0)
            {
                return new([], "A condition must not be empty.");
            }
            groups.Add(clauses);
        }
        return new(groups, null);
    }

    /// <summary>Whether <paramref name="condition"/> holds for <paramref name="flags"/>; <paramref name="roll"/>
    /// rolls one die of the given sides (seeded by the caller, so a replay rolls the same).</summary>
    public static bool Holds(string? condition, IReadOnlyDictionary<string, string> flags, Func<int, int> roll)
    {
        if (string.IsNullOrWhiteSpace(condition))
        {
            return true;
        }
        var parsed = Parse(condition);
        return parsed.Error is null && parsed.Groups.Any(g => g.All(c => Holds(c, flags, roll) != c.Negated));
    }

    private static bool Holds(Clause clause, IReadOnlyDictionary<string, string> flags, Func<int, int> roll)
    {
        if (clause.Dice > 0)
        {
            var total = 0;
            for (var i = 0; i < clause.Dice; i++)
            {
                total += roll(clause.Sides);
            }
            return Compare(total.ToString(CultureInfo.InvariantCulture), clause.Op!, clause.Value!);
        }
        var value = flags.TryGetValue(clause.Name!, out var v) ? v : null;
        if (clause.Op is null)
        {
            return value is not null and not "false" and not "0" and not "";
        }
        return Compare(value ?? "", clause.Op, clause.Value ?? "");
    }

    private static bool Compare(string left, string op, string right)
    {
        var numeric =
            double.TryParse(left.Length == 0 ? "0" : left, CultureInfo.InvariantCulture, out var l)
            & double.TryParse(right, CultureInfo.InvariantCulture, out var r);
        var order = numeric ? l.CompareTo(r) : string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
        return op switch
        {
            "==" or "=" => order == 0,
            "!=" => order != 0,
            ">=" => order >= 0,
            "<=" => order <= 0,
            ">" => order > 0,
            "<" => order < 0,
            _ => false,
        };
    }

    private static IEnumerable<string> Split(string text, string word) =>
        Regex.Split(
            text,
            $@"\s+{word}\s+|\s*{(word == "and" ? "&&" : @"\|\|")}\s*",
            RegexOptions.IgnoreCase,
            TimeSpan.FromSeconds(1)
        );

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(
        @"^(?:roll\s+(?<dice>\d+)d(?<sides>\d+)|(?<name>[A-Za-z_][A-Za-z0-9_.\-]*))\s*"
            + @"(?:(?<op>==|!=|>=|<=|=|>|<)\s*(?<value>""[^""]*""|'[^']*'|[^\s=<>!]+))?$",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex ClausePattern();
}
