using StoryEngine.Core.Tabletop.Dice;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Stories;

// Tabletop play (issue 23; docs/adr/0051-dice-as-story-events.md). Each event names the turn it happened at
// (`turnId`): it counts while that turn stands (an undo takes it back, a fork before that turn leaves it out), and a
// narrator's roll counts only while its narration is the chosen one. Nothing here is ever rolled again: a retry, a fork
// or a replay reads the faces from the log.

/// <summary>Dice were rolled: the expression, every die with what was kept, the total, why, who rolled and at which
/// turn. <see cref="Check"/> is set when the roll was a check against a DC.</summary>
/// <param name="RolledBy">player or narrator.</param>
/// <param name="Alternative">The narration that rolled (narrator rolls only).</param>
public sealed record DiceRolled(
    string RollId,
    string TurnId,
    string RolledBy,
    string Expression,
    int Total,
    string Text,
    IReadOnlyList<DiceTermResult> Terms,
    string? Character = null,
    string? Reason = null,
    int? Alternative = null,
    RollCheck? Check = null
) : IStoryEventPayload;

/// <summary>A roll made as a check: what was checked, the DC, and whether the total met it. <see cref="RequestId"/>
/// names the narrator's request (prompt-only narration) it answers.</summary>
public sealed record RollCheck(string Skill, int Bonus, int? Dc, bool? Success, string? RequestId = null);

/// <summary>A character's sheet was created or changed; <see cref="Sheet"/> is the whole sheet as it now stands and
/// <see cref="Change"/> says in words what changed ("HP 12 → 7").</summary>
public sealed record SheetSaved(string TurnId, CharacterSheet Sheet, string Change) : IStoryEventPayload;

/// <summary>A character's sheet was taken out of the adventure.</summary>
public sealed record SheetRemoved(string TurnId, string Name) : IStoryEventPayload;

/// <summary>One side of a fight as the tracker knows it.</summary>
public sealed record Combatant(string Name, int Initiative, int Hp, int MaxHp, int ArmorClass = 10, bool Npc = true);

/// <summary>A fight began: who is in it, in initiative order (highest first; ties keep the order given).</summary>
public sealed record CombatStarted(string TurnId, string CombatId, IReadOnlyList<Combatant> Combatants)
    : IStoryEventPayload;

/// <summary>Someone joined a fight under way, placed by initiative.</summary>
public sealed record CombatantJoined(string TurnId, Combatant Combatant) : IStoryEventPayload;

/// <summary>Someone left the fight (fled, died and was removed).</summary>
public sealed record CombatantLeft(string TurnId, string Name) : IStoryEventPayload;

/// <summary>The current combatant's turn ended; the next one in order acts (a new round after the last).</summary>
public sealed record CombatTurnEnded(string TurnId) : IStoryEventPayload;

/// <summary>Hit points changed by <see cref="Delta"/> (damage is negative; temporary hit points soak damage first), or
/// temporary hit points were granted (<see cref="TempHp"/>). Applies to the fight's combatant and to the sheet of that
/// name, whichever exist.</summary>
public sealed record HitPointsChanged(string TurnId, string Name, int Delta, int? TempHp = null, string? Reason = null)
    : IStoryEventPayload;

/// <summary>A condition was put on someone, for <see cref="Rounds"/> rounds of the fight (until removed when
/// null).</summary>
public sealed record ConditionApplied(string TurnId, string Name, string Condition, int? Rounds = null)
    : IStoryEventPayload;

public sealed record ConditionRemoved(string TurnId, string Name, string Condition) : IStoryEventPayload;

/// <summary>The fight is over.</summary>
public sealed record CombatEnded(string TurnId) : IStoryEventPayload;

/// <summary>The adventure is played by the rules system <see cref="System"/> (an id from <c>GET
/// /api/v1/rules</c>).</summary>
public sealed record RulesChosen(string TurnId, string System) : IStoryEventPayload;
