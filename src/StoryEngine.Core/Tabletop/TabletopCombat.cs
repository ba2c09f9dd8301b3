using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Tabletop;

/// <summary>Someone to put in a fight; what is left out comes from their sheet (initiative is rolled: the d20 plus
/// the Dexterity modifier, recorded as a roll).</summary>
public sealed record CombatantEntry(
    string? Name,
    int? Initiative = null,
    int? Hp = null,
    int? MaxHp = null,
    int? ArmorClass = null,
    bool? Npc = null
);

/// <summary>One change at the table: <see cref="Action"/> is next-turn, end, hp, condition, remove-condition, join or
/// leave.</summary>
public sealed record TableAction(
    string Action,
    string? Name = null,
    int? Delta = null,
    int? TempHp = null,
    string? Condition = null,
    int? Rounds = null,
    string? Reason = null,
    CombatantEntry? Combatant = null
);

/// <summary>The combat tracker's commands (issue 23): each checked against the table, then one or more
/// events.</summary>
public sealed class TabletopCombat(StoryWriter writer, TabletopService tabletop)
{
    public const int MaxCombatants = 50;

    public static readonly IReadOnlyList<string> Actions =
    [
        "next-turn",
        "end",
        "hp",
        "condition",
        "remove-condition",
        "join",
        "leave",
    ];

    public async Task<TabletopView> StartAsync(
        string ownerId,
        string adventureId,
        IReadOnlyList<CombatantEntry>? entries,
        CancellationToken cancellationToken
    )
    {
        var view = await tabletop.GetAsync(ownerId, adventureId, cancellationToken);
        if (entries is not { Count: > 0 } || entries.Count > MaxCombatants)
        {
            throw ValidationFailedException.For("combatants", $"A fight needs 1 to {MaxCombatants} combatants.");
        }
        var turnId = view.NewestTurnId ?? throw new NotFoundException("turn", "newest");
        var events = new List<IStoryEventPayload>();
        var combatants = new List<Combatant>();
        foreach (var entry in entries)
        {
            var (combatant, roll) = Enter(view, entry, turnId, "combatants");
            if (combatants.Any(c => Same(c.Name, combatant.Name)))
            {
                throw ValidationFailedException.For("combatants", $"'{combatant.Name}' is in the fight twice.");
            }
            combatants.Add(combatant);
            if (roll is not null)
            {
                events.Add(roll);
            }
        }
        events.Add(new CombatStarted(turnId, Resources.Ids.New(), combatants));
        await writer.AppendLatestAsync(ownerId, adventureId, ownerId, events, cancellationToken);
        return await tabletop.ViewAsync(adventureId, cancellationToken);
    }

    public async Task<TabletopView> ActAsync(
        string ownerId,
        string adventureId,
        TableAction action,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(action);
        var view = await tabletop.GetAsync(ownerId, adventureId, cancellationToken);
        var turnId = view.NewestTurnId ?? throw new NotFoundException("turn", "newest");
        if (view.State.Combat is null && action.Action is "next-turn" or "end" or "join" or "leave")
        {
            throw new NoCombatException();
        }
        List<IStoryEventPayload> events = action.Action switch
        {
            "next-turn" => [new CombatTurnEnded(turnId)],
            "end" => [new CombatEnded(turnId)],
            "hp" => [Hp(view, action, turnId)],
            "condition" => [Condition(view, action, turnId)],
            "remove-condition" => [Uncondition(view, action, turnId)],
            "join" => Join(view, action, turnId),
            "leave" => [new CombatantLeft(turnId, InFight(view, action.Name))],
            _ => throw new NotFoundException("table action", action.Action),
        };
        await writer.AppendLatestAsync(ownerId, adventureId, ownerId, events, cancellationToken);
        return await tabletop.ViewAsync(adventureId, cancellationToken);
    }

    private (Combatant, DiceRolled?) Enter(TabletopView view, CombatantEntry entry, string turnId, string field)
    {
        var name = entry.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > SheetMath.MaxNameLength)
        {
            throw ValidationFailedException.For(
                field,
                $"Each combatant needs a name of 1 to {SheetMath.MaxNameLength} characters."
            );
        }
        var sheet = view.State.Sheet(name);
        DiceRolled? roll = null;
        var initiative = entry.Initiative;
        if (initiative is null)
        {
            // d20 + Dexterity where the system has it; a system without it rolls a bare d20.
            var request = view.Rules.FindAbility("dex") is null
                ? new RollRequest(view.Rules.Check.Die, "initiative", sheet?.Name ?? name)
                : new RollRequest(null, "initiative", sheet?.Name ?? name, "dex");
            roll = tabletop.Roll(view, request, turnId, "player", null);
            roll = roll with { Character = sheet?.Name ?? name, Reason = "Initiative" };
            initiative = roll.Total;
        }
        var max = entry.MaxHp ?? sheet?.Hp?.Max ?? entry.Hp ?? 1;
        var hp = entry.Hp ?? sheet?.Hp?.Current ?? max;
        if (max < 1 || hp < 0 || hp > max || initiative is < -100 or > 1000)
        {
            throw ValidationFailedException.For(
                field,
                $"{name}: hp must be from 0 to maxHp (≥ 1), initiative from -100 to 1000."
            );
        }
        return (
            new Combatant(
                sheet?.Name ?? name,
                initiative.Value,
                hp,
                max,
                entry.ArmorClass ?? sheet?.ArmorClass ?? 10,
                entry.Npc ?? sheet?.Npc ?? sheet is null
            ),
            roll
        );
    }

    private List<IStoryEventPayload> Join(TabletopView view, TableAction action, string turnId)
    {
        var entry = action.Combatant ?? throw ValidationFailedException.For("combatant", "combatant is required.");
        var (combatant, roll) = Enter(view, entry, turnId, "combatant");
        if (view.State.Combat?.Order.Any(c => Same(c.Name, combatant.Name)) == true)
        {
            throw ValidationFailedException.For("combatant", $"'{combatant.Name}' is already in the fight.");
        }
        return roll is null ? [new CombatantJoined(turnId, combatant)] : [roll, new CombatantJoined(turnId, combatant)];
    }

    private static HitPointsChanged Hp(TabletopView view, TableAction action, string turnId)
    {
        var name = Someone(view, action.Name);
        if (action.Delta is null && action.TempHp is null)
        {
            throw ValidationFailedException.For("delta", "delta (negative for damage) or tempHp is required.");
        }
        if (action.Delta is < -10_000 or > 10_000 || action.TempHp is < 0 or > 10_000)
        {
            throw ValidationFailedException.For("delta", "delta must be from -10000 to 10000, tempHp from 0 to 10000.");
        }
        return new HitPointsChanged(turnId, name, action.Delta ?? 0, action.TempHp, action.Reason);
    }

    private static ConditionApplied Condition(TabletopView view, TableAction action, string turnId)
    {
        var name = Someone(view, action.Name);
        var condition = view.Rules.FindCondition(action.Condition ?? "")
            ?? throw ValidationFailedException.For(
                "condition",
                $"'{action.Condition}' is not a condition of {view.Rules.Name} "
                    + $"({string.Join(", ", view.Rules.Conditions.Select(c => c.Id))})."
            );
        if (action.Rounds is < 1 or > 1000)
        {
            throw ValidationFailedException.For(
                "rounds",
                "rounds must be from 1 to 1000 (leave it out: until removed)."
            );
        }
        return new ConditionApplied(turnId, name, condition.Id, action.Rounds);
    }

    private static ConditionRemoved Uncondition(TabletopView view, TableAction action, string turnId)
    {
        var name = Someone(view, action.Name);
        var condition = view.Rules.FindCondition(action.Condition ?? "")?.Id
            ?? throw ValidationFailedException.For("condition", $"'{action.Condition}' is not a condition.");
        return new ConditionRemoved(turnId, name, condition);
    }

    // A sheet's or a combatant's name, as the table spells it.
    private static string Someone(TabletopView view, string? name) =>
        view.State.Sheet(name ?? "")?.Name
        ?? view.State.Combat?.Order.FirstOrDefault(c => Same(c.Name, name ?? ""))?.Name
        ?? throw new NotFoundException("sheet or combatant", name ?? "");

    private static string InFight(TabletopView view, string? name) =>
        view.State.Combat?.Order.FirstOrDefault(c => Same(c.Name, name ?? ""))?.Name
        ?? (
            view.State.Combat is null
                ? throw new NoCombatException()
                : throw new NotFoundException("combatant", name ?? "")
        );

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A fight's command when no fight is under way: 409.</summary>
public sealed class NoCombatException()
    : ConflictException("No fight is under way in this adventure; start one with POST .../combat.", "no_combat");
