using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Dice;
using StoryEngine.Core.Tabletop.Rules;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Server.Contracts;

/// <summary>One rules system in the list: what it is, under which licence, and where its parts are.</summary>
public sealed record RulesSystemSummary(
    string Id,
    string Name,
    int Version,
    string License,
    string Attribution,
    IReadOnlyList<string> Sections
)
{
    public static readonly IReadOnlyList<string> SectionNames =
    [
        "abilities",
        "skills",
        "conditions",
        "races",
        "classes",
    ];

    public static RulesSystemSummary From(RulesSystem s) =>
        new(s.Id, s.Name, s.Version, s.License, s.Attribution, SectionNames);
}

public sealed record RulesListResponse(IReadOnlyList<RulesSystemSummary> Items);

/// <summary>A roll to make: dice notation, or a check (<see cref="Skill"/> with an optional DC) rolled with the
/// character's bonus; <see cref="RequestId"/> answers a check the narrator asked for.</summary>
public sealed record RollRequestBody(
    string? Expression,
    string? Reason,
    string? Character,
    string? Skill,
    int? Dc,
    string? Advantage,
    string? RequestId
);

/// <summary>A roll as recorded: every die (kept or not), the total, the check's outcome, who, why, and at which
/// turn.</summary>
public sealed record RollResponse(
    string Id,
    string TurnId,
    string RolledBy,
    string? Character,
    string? Reason,
    string Expression,
    int Total,
    string Text,
    IReadOnlyList<DiceTermResult> Terms,
    RollCheck? Check,
    string Said
)
{
    public static RollResponse From(DiceRolled r) =>
        new(
            r.RollId,
            r.TurnId,
            r.RolledBy,
            r.Character,
            r.Reason,
            r.Expression,
            r.Total,
            r.Text,
            r.Terms,
            r.Check,
            TabletopPrompt.Describe(r)
        );
}

public sealed record RollListResponse(IReadOnlyList<RollResponse> Items);

/// <summary>A sheet with what its numbers come to under the adventure's rules.</summary>
public sealed record SheetResponse(CharacterSheet Sheet, SheetDerived Derived);

public sealed record SheetListResponse(string System, IReadOnlyList<SheetResponse> Items);

public sealed record CombatantBody(string? Name, int? Initiative, int? Hp, int? MaxHp, int? ArmorClass, bool? Npc);

public sealed record StartCombatBody(IReadOnlyList<CombatantBody>? Combatants);

/// <summary>One change to the fight or to hit points and conditions: see <c>POST
/// /adventures/{id}/combat/{action}</c>.</summary>
public sealed record CombatActionBody(
    string? Name,
    int? Delta,
    int? TempHp,
    string? Condition,
    int? Rounds,
    string? Reason,
    CombatantBody? Combatant
);

public sealed record ChooseRulesBody(string? System);

/// <summary>The whole table of an adventure: its rules, sheets, the fight, the newest rolls and the checks the
/// narrator asked for that nobody rolled yet.</summary>
public sealed record TabletopResponse(
    string AdventureId,
    string System,
    bool Active,
    IReadOnlyList<SheetResponse> Sheets,
    CombatState? Combat,
    IReadOnlyList<RollResponse> Rolls,
    IReadOnlyList<CheckRequest> PendingChecks,
    string Prompt
);

/// <summary>The fight after a change (null when none is under way) and the sheets it touched.</summary>
public sealed record CombatResponse(CombatState? Combat, IReadOnlyList<SheetResponse> Sheets);
