using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Tabletop;

/// <summary>An adventure's table as the log has it now: the sheets, the fight under way, and the rolls that
/// count.</summary>
public sealed record TabletopState(
    IReadOnlyList<CharacterSheet> Sheets,
    CombatState? Combat,
    IReadOnlyList<DiceRolled> Rolls
)
{
    public static readonly TabletopState Empty = new([], null, []);

    /// <summary>The rules system chosen for the adventure; null: the default (<see
    /// cref="Rules.RulesCatalog.DefaultSystem"/>).</summary>
    public string? System { get; init; }

    /// <summary>Whether this adventure is played with rules at all: a plain story has none of it.</summary>
    public bool IsEmpty => Sheets.Count == 0 && Combat is null && Rolls.Count == 0 && System is null;

    public CharacterSheet? Sheet(string name) =>
        Sheets.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A fight: the round (from 1), whose turn it is, and everyone in initiative order.</summary>
public sealed record CombatState(string CombatId, int Round, int TurnIndex, IReadOnlyList<CombatantState> Order)
{
    public CombatantState? Current => TurnIndex < Order.Count ? Order[TurnIndex] : null;
}

public sealed record CombatantState(
    string Name,
    int Initiative,
    int Hp,
    int MaxHp,
    int TempHp,
    int ArmorClass,
    bool Npc,
    IReadOnlyList<TimedCondition> Conditions
);

/// <summary>A condition and the rounds it has left (null: until removed). It counts down at the end of its bearer's
/// own turn and ends at zero.</summary>
public sealed record TimedCondition(string Condition, int? RoundsLeft);
