using System.Globalization;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Tabletop.Dice;

/// <summary>
/// Reads dice notation (issue 23; docs/adr/0051-dice-as-story-events.md): terms joined by <c>+</c> and <c>-</c>, each
/// a constant or <c>NdM</c> (N defaults to 1; M may be <c>%</c> for 100 or <c>F</c> for Fate dice), followed by
/// modifiers in any order: <c>khN</c>/<c>kN</c>, <c>klN</c>, <c>dhN</c>, <c>dlN</c> (N defaults to 1), <c>adv</c>/
/// <c>dis</c> (a d20 with advantage: two dice, keep the higher/lower), <c>!</c> (explode on the highest face),
/// <c>r&lt;2</c> (reroll while the condition holds) or <c>ro&lt;2</c> (once), and a trailing condition such as
/// <c>&gt;=5</c> that counts successes instead of summing. Spaces are ignored, case does not matter.
/// Syntax errors are <see cref="ValidationFailedException"/>s on <c>expression</c> that say where; sizes past
/// <see cref="DiceLimits"/> are <see cref="DiceLimitException"/>s.
/// </summary>
public static class DiceParser
{
    public const string Field = "expression";

    public static IReadOnlyList<DiceTerm> Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw ValidationFailedException.For(Field, "expression is required, e.g. 1d20+3.");
        }
        if (expression.Length > DiceLimits.MaxExpressionLength)
        {
            throw new DiceLimitException(
                "maxExpressionLength",
                DiceLimits.MaxExpressionLength,
                $"A dice expression may be at most {DiceLimits.MaxExpressionLength} characters long."
            );
        }
        var text = new string([.. expression.Where(c => !char.IsWhiteSpace(c)).Select(char.ToLowerInvariant)]);
        var reader = new Reader(text);
        var terms = new List<DiceTerm>();
        var sign = 1;
        if (reader.Eat('-'))
        {
            sign = -1;
        }
        else
        {
            reader.Eat('+');
        }
        while (true)
        {
            terms.Add(Term(reader, sign));
            if (terms.Count > DiceLimits.MaxTerms)
            {
                throw new DiceLimitException(
                    "maxTerms",
                    DiceLimits.MaxTerms,
                    $"A dice expression may have at most {DiceLimits.MaxTerms} terms."
                );
            }
            if (reader.AtEnd)
            {
                break;
            }
            sign =
                reader.Eat('+') ? 1
                : reader.Eat('-') ? -1
                : throw reader.Error("expected + or - between terms");
        }
        var dice = terms.Sum(t => t.IsConstant ? 0 : t.Count);
        if (dice > DiceLimits.MaxDiceRolled)
        {
            throw new DiceLimitException(
                "maxDiceRolled",
                DiceLimits.MaxDiceRolled,
                $"A dice expression may roll at most {DiceLimits.MaxDiceRolled} dice in all; this one names {dice}."
            );
        }
        return terms;
    }

    private static DiceTerm Term(Reader reader, int sign)
    {
        var start = reader.Position;
        var count = reader.Number();
        if (!reader.Eat('d'))
        {
            if (count is not { } constant)
            {
                throw reader.Error("expected a number or dice such as 2d6");
            }
            if (constant > DiceLimits.MaxConstant)
            {
                throw new DiceLimitException(
                    "maxConstant",
                    DiceLimits.MaxConstant,
                    $"A constant may be at most {DiceLimits.MaxConstant}."
                );
            }
            return new DiceTerm(sign, 0, 0, constant, Notation: reader.Since(start));
        }
        var n = count ?? 1;
        if (n < 1)
        {
            throw reader.Error("a term needs at least one die");
        }
        if (n > DiceLimits.MaxDicePerTerm)
        {
            throw new DiceLimitException(
                "maxDicePerTerm",
                DiceLimits.MaxDicePerTerm,
                $"A term may roll at most {DiceLimits.MaxDicePerTerm} dice; {n}d asks for more."
            );
        }
        int sides;
        if (reader.Eat('%'))
        {
            sides = 100;
        }
        else if (reader.Eat('f'))
        {
            sides = DiceTerm.Fate;
        }
        else
        {
            sides = reader.Number() ?? throw reader.Error("expected the number of sides after d");
            if (sides < 1)
            {
                throw reader.Error("a die needs at least one side");
            }
            if (sides > DiceLimits.MaxSides)
            {
                throw new DiceLimitException(
                    "maxSides",
                    DiceLimits.MaxSides,
                    $"A die may have at most {DiceLimits.MaxSides} sides; d{sides} has more."
                );
            }
        }
        var term = new DiceTerm(sign, n, sides);
        while (!reader.AtEnd && reader.Peek is not ('+' or '-'))
        {
            term = Modifier(reader, term);
        }
        if (term.Keep is { } keep && keep.Count > term.Count)
        {
            throw reader.Error($"cannot keep or drop {keep.Count} of {term.Count} dice");
        }
        return term with { Notation = reader.Since(start) };
    }

    private static DiceTerm Modifier(Reader reader, DiceTerm term)
    {
        var at = reader.Position;
        if (reader.Eat("adv") || reader.Eat("dis"))
        {
            if (term.Count != 1 || term.Keep is not null)
            {
                throw reader.Error("adv and dis apply to a single die, as in 1d20adv", at);
            }
            var kind = reader.Since(at) == "adv" ? KeepKind.KeepHighest : KeepKind.KeepLowest;
            return term with { Count = 2, Keep = new DiceKeep(kind, 1) };
        }
        KeepKind? keep =
            reader.Eat("kh") ? KeepKind.KeepHighest
            : reader.Eat("kl") ? KeepKind.KeepLowest
            : reader.Eat("dh") ? KeepKind.DropHighest
            : reader.Eat("dl") ? KeepKind.DropLowest
            : reader.Eat('k') ? KeepKind.KeepHighest
            : null;
        if (keep is { } k)
        {
            if (term.Keep is not null)
            {
                throw reader.Error("only one keep or drop per term", at);
            }
            var n = reader.Number() ?? 1;
            if (n < 1)
            {
                throw reader.Error("keep or drop at least one die", at);
            }
            return term with { Keep = new DiceKeep(k, n) };
        }
        if (reader.Eat('!'))
        {
            if (term.Explode)
            {
                throw reader.Error("a term explodes once", at);
            }
            if (term.Sides is < 2)
            {
                throw reader.Error("only dice with two or more numbered sides explode", at);
            }
            return term with { Explode = true };
        }
        if (reader.Eat('r'))
        {
            if (term.Reroll is not null)
            {
                throw reader.Error("one reroll per term", at);
            }
            var once = reader.Eat('o');
            var condition = Condition(reader, defaultEqual: true) ?? throw reader.Error("expected r<N, r>N or rN");
            if (term.Sides < 1 || Enumerable.Range(1, term.Sides).All(condition.Matches))
            {
                throw reader.Error($"r{condition} would reroll every face", at);
            }
            return term with { Reroll = condition, RerollOnce = once };
        }
        if (Condition(reader, defaultEqual: false) is { } success)
        {
            if (term.Success is not null)
            {
                throw reader.Error("one success condition per term", at);
            }
            return term with { Success = success };
        }
        throw reader.Error($"unknown modifier '{reader.Peek}'");
    }

    private static DiceCondition? Condition(Reader reader, bool defaultEqual)
    {
        DiceComparison? comparison =
            reader.Eat(">=") ? DiceComparison.GreaterOrEqual
            : reader.Eat("<=") ? DiceComparison.LessOrEqual
            : reader.Eat('>') ? DiceComparison.Greater
            : reader.Eat('<') ? DiceComparison.Less
            : reader.Eat('=') ? DiceComparison.Equal
            : defaultEqual ? DiceComparison.Equal
            : null;
        if (comparison is null)
        {
            return null;
        }
        var value = reader.Number() ?? throw reader.Error("expected a number after the comparison");
        return new DiceCondition(comparison.Value, value);
    }

    private sealed class Reader(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[Position];

        public bool Eat(char c)
        {
            if (Peek != c || AtEnd)
            {
                return false;
            }
            Position++;
            return true;
        }

        public bool Eat(string s)
        {
            if (!text.AsSpan(Position).StartsWith(s, StringComparison.Ordinal))
            {
                return false;
            }
            Position += s.Length;
            return true;
        }

        public int? Number()
        {
            var start = Position;
            while (!AtEnd && char.IsAsciiDigit(Peek))
            {
                Position++;
            }
            if (Position == start)
            {
                return null;
            }
            return int.TryParse(
                text.AsSpan(start, Position - start),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var n
            )
                ? n
                : int.MaxValue; // too long to be anything but over a limit
        }

        public string Since(int start) => text[start..Position];

        public ValidationFailedException Error(string what, int? at = null) =>
            ValidationFailedException.For(
                Field,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} at position {(at ?? Position) + 1} of '{text}'."
            );
    }
}
