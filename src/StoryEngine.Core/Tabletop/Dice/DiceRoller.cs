using System.Globalization;
using System.Text;

namespace StoryEngine.Core.Tabletop.Dice;

/// <summary>
/// Rolls parsed expressions with an <see cref="IDiceSource"/>: the server's CSPRNG in the product, a scripted one in
/// tests. Pure apart from the source, so the same faces always give the same result.
/// </summary>
public sealed class DiceRoller(IDiceSource source)
{
    public static readonly DiceRoller Crypto = new(CryptoDiceSource.Instance);

    /// <summary>Parses and rolls; throws what <see cref="DiceParser.Parse"/> throws, and <see
    /// cref="DiceLimitException"/> when explosions or rerolls pass <see cref="DiceLimits.MaxDiceRolled"/>.</summary>
    public DiceRoll Roll(string? expression) => Roll(DiceParser.Parse(expression));

    public DiceRoll Roll(IReadOnlyList<DiceTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var thrown = 0;
        var results = new List<DiceTermResult>(terms.Count);
        foreach (var term in terms)
        {
            results.Add(RollTerm(term, ref thrown));
        }
        var total = results.Sum(r => r.Value);
        var expression = Normalised(terms);
        return new DiceRoll(expression, results, total, $"{expression} = {Describe(results)} = {total}");
    }

    private DiceTermResult RollTerm(DiceTerm term, ref int thrown)
    {
        if (term.IsConstant)
        {
            return new DiceTermResult(term.Notation, term.Sign, [], term.Sign * term.Constant, null);
        }
        var dice = new List<DieResult>(term.Count);
        for (var i = 0; i < term.Count; i++)
        {
            var value = Throw(term, ref thrown);
            if (term.Reroll is { } reroll)
            {
                while (reroll.Matches(value))
                {
                    dice.Add(new DieResult(term.Sides, value, Kept: false, Rerolled: true));
                    value = Throw(term, ref thrown);
                    if (term.RerollOnce)
                    {
                        break;
                    }
                }
            }
            dice.Add(new DieResult(term.Sides, value));
            while (term.Explode && value == term.Sides)
            {
                dice[^1] = dice[^1] with { Exploded = true };
                value = Throw(term, ref thrown);
                dice.Add(new DieResult(term.Sides, value));
            }
        }
        if (term.Keep is { } keep)
        {
            dice = Keep(dice, keep);
        }
        var kept = dice.Where(d => d.Kept).ToArray();
        if (term.Success is { } success)
        {
            var successes = kept.Count(d => success.Matches(d.Value));
            return new DiceTermResult(term.Notation, term.Sign, dice, term.Sign * successes, successes);
        }
        return new DiceTermResult(term.Notation, term.Sign, dice, term.Sign * kept.Sum(d => d.Value), null);
    }

    private int Throw(DiceTerm term, ref int thrown)
    {
        if (++thrown > DiceLimits.MaxDiceRolled)
        {
            throw new DiceLimitException(
                "maxDiceRolled",
                DiceLimits.MaxDiceRolled,
                $"This roll threw more than {DiceLimits.MaxDiceRolled} dice (explosions and rerolls count); "
                    + "roll fewer dice."
            );
        }
        return term.Sides == DiceTerm.Fate ? source.Next(3) - 2 : source.Next(term.Sides);
    }

    // Keep/drop looks at the dice still standing (not the faces a reroll replaced); ties keep the earlier die.
    private static List<DieResult> Keep(List<DieResult> dice, DiceKeep keep)
    {
        var standing = dice.Select((d, i) => (d, i)).Where(p => p.d.Kept).ToList();
        var highestFirst = standing.OrderByDescending(p => p.d.Value).ThenBy(p => p.i).ToList();
        var lowestFirst = standing.OrderBy(p => p.d.Value).ThenBy(p => p.i).ToList();
        var n = Math.Min(keep.Count, standing.Count);
        var set = keep.Kind switch
        {
            KeepKind.KeepHighest => highestFirst.Skip(n),
            KeepKind.KeepLowest => lowestFirst.Skip(n),
            KeepKind.DropHighest => highestFirst.Take(n),
            _ => lowestFirst.Take(n),
        };
        var dropped = set.Select(p => p.i).ToHashSet();
        return [.. dice.Select((d, i) => dropped.Contains(i) ? d with { Kept = false } : d)];
    }

    private static string Normalised(IReadOnlyList<DiceTerm> terms)
    {
        var text = new StringBuilder();
        foreach (var term in terms)
        {
            text.Append(
                term.Sign < 0 ? "-"
                : text.Length > 0 ? "+"
                : ""
            );
            text.Append(term.Notation);
        }
        return text.ToString();
    }

    // "[14] + 5", "[6, 4, 3, (1)]", "[6!, 2]", "3 successes".
    private static string Describe(IReadOnlyList<DiceTermResult> terms)
    {
        var text = new StringBuilder();
        foreach (var term in terms)
        {
            if (text.Length > 0 || term.Sign < 0)
            {
                text.Append(term.Sign < 0 ? (text.Length > 0 ? " - " : "-") : " + ");
            }
            if (term.Dice.Count == 0)
            {
                text.Append(Math.Abs(term.Value).ToString(CultureInfo.InvariantCulture));
                continue;
            }
            text.Append('[');
            text.AppendJoin(", ", term.Dice.Select(Face));
            text.Append(']');
            if (term.Successes is { } s)
            {
                text.Append(CultureInfo.InvariantCulture, $" {s} success{(s == 1 ? "" : "es")}");
            }
        }
        return text.ToString();
    }

    private static string Face(DieResult d)
    {
        var face =
            d.Sides == DiceTerm.Fate
                ? d.Value switch
                {
                    > 0 => "+",
                    < 0 => "-",
                    _ => "0",
                }
                : d.Value.ToString(CultureInfo.InvariantCulture);
        face += d.Exploded ? "!" : "";
        return d.Kept ? face : $"({face})";
    }
}
