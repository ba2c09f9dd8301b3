using System.Security.Cryptography;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Tabletop.Dice;

/// <summary>Where dice get their faces: a number from 1 to <c>sides</c>, each equally likely.</summary>
public interface IDiceSource
{
    int Next(int sides);
}

/// <summary>The server's dice: the operating system's CSPRNG (<see cref="RandomNumberGenerator.GetInt32(int,
/// int)"/>), unbiased and unpredictable to players and models alike.</summary>
public sealed class CryptoDiceSource : IDiceSource
{
    public static readonly CryptoDiceSource Instance = new();

    public int Next(int sides) => RandomNumberGenerator.GetInt32(1, sides + 1);
}

/// <summary>The bounds an expression must stay within (issue 23: "limits on dice count and sides").</summary>
public static class DiceLimits
{
    /// <summary>The longest expression, in characters.</summary>
    public const int MaxExpressionLength = 200;

    /// <summary>The most terms (<c>1d20+1d4+3</c> has three).</summary>
    public const int MaxTerms = 20;

    /// <summary>The most dice one term may name (<c>100d6</c>).</summary>
    public const int MaxDicePerTerm = 100;

    /// <summary>The most sides a die may have.</summary>
    public const int MaxSides = 1000;

    /// <summary>The most dice thrown by a whole expression, explosions and rerolls included.</summary>
    public const int MaxDiceRolled = 1000;

    /// <summary>The largest constant.</summary>
    public const int MaxConstant = 1_000_000;
}

/// <summary>An expression asks for more than <see cref="DiceLimits"/> allow: 422, the message naming the
/// limit.</summary>
public sealed class DiceLimitException(string limit, int max, string message)
    : StoryEngineException("dice_limit", message)
{
    /// <summary>The limit's name, as the problem's <c>limit</c> extension carries it.</summary>
    public string Limit { get; } = limit;

    public int Max { get; } = max;
}

/// <summary>How a term compares a die to a number (rerolls and success counting).</summary>
public enum DiceComparison
{
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A threshold: <c>&lt;2</c>, <c>&gt;=5</c>, <c>=1</c>.</summary>
public sealed record DiceCondition(DiceComparison Comparison, int Value)
{
    public bool Matches(int face) =>
        Comparison switch
        {
            DiceComparison.Equal => face == Value,
            DiceComparison.Less => face < Value,
            DiceComparison.LessOrEqual => face <= Value,
            DiceComparison.Greater => face > Value,
            _ => face >= Value,
        };

    public override string ToString() =>
        Comparison switch
        {
            DiceComparison.Equal => "=",
            DiceComparison.Less => "<",
            DiceComparison.LessOrEqual => "<=",
            DiceComparison.Greater => ">",
            _ => ">=",
        } + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Which dice a term keeps: the highest or lowest <see cref="Count"/>, or all but the highest or lowest
/// <see cref="Count"/>.</summary>
public enum KeepKind
{
    KeepHighest,
    KeepLowest,
    DropHighest,
    DropLowest,
}

public sealed record DiceKeep(KeepKind Kind, int Count);

/// <summary>One term of an expression, parsed: a constant (<see cref="Sides"/> 0) or dice with their
/// modifiers.</summary>
/// <param name="Sign">+1 or -1.</param>
/// <param name="Sides">Faces per die; 0 for a constant, -1 for Fate dice (dF: −1, 0, +1).</param>
public sealed record DiceTerm(
    int Sign,
    int Count,
    int Sides,
    int Constant = 0,
    DiceKeep? Keep = null,
    bool Explode = false,
    DiceCondition? Reroll = null,
    bool RerollOnce = false,
    DiceCondition? Success = null,
    string Notation = ""
)
{
    public const int Fate = -1;

    public bool IsConstant => Sides == 0;
}

/// <summary>One die as it fell. <see cref="Kept"/> is false when keep/drop set it aside or a reroll replaced it;
/// <see cref="Exploded"/> marks a die that rolled its maximum and added another; <see cref="Rerolled"/> marks a
/// face that was rolled again.</summary>
public sealed record DieResult(int Sides, int Value, bool Kept = true, bool Exploded = false, bool Rerolled = false);

/// <summary>One term's outcome: its dice (none for a constant), the successes it counted (when it counts them) and
/// its signed value.</summary>
public sealed record DiceTermResult(
    string Notation,
    int Sign,
    IReadOnlyList<DieResult> Dice,
    int Value,
    int? Successes
);

/// <summary>A whole roll: the expression as normalised, each term, the total, and a line a person reads
/// ("1d20+5 = [14] + 5 = 19").</summary>
public sealed record DiceRoll(string Expression, IReadOnlyList<DiceTermResult> Terms, int Total, string Text)
{
    /// <summary>The natural value of a single d20 roll (for "natural 20"), or null when the roll is not one
    /// d20.</summary>
    public int? Natural =>
        Terms.Where(t => t.Dice.Count > 0).ToArray() is [{ } only] && only.Dice.Where(d => d.Kept).ToArray() is [var d]
            ? d.Value
            : null;
}
