using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop.Dice;
using StoryEngine.Core.Tabletop.Rules;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Tabletop;

/// <summary>An adventure's table as one read gives it: the state, its rules, and the turn that now stands.</summary>
public sealed record TabletopView(string AdventureId, TabletopState State, RulesSystem Rules, string? NewestTurnId);

/// <summary>A roll asked for: the dice, why, for whom; with <see cref="Skill"/> it is a check (the expression is then
/// the d20 plus the sheet's bonus, <see cref="Advantage"/> "advantage" or "disadvantage").</summary>
public sealed record RollRequest(
    string? Expression,
    string? Reason = null,
    string? Character = null,
    string? Skill = null,
    int? Dc = null,
    string? Advantage = null,
    string? RequestId = null
);

/// <summary>
/// Tabletop play's write path (issue 23): rolls, sheets and the fight, each change one event appended to the story
/// log at the turn that stands (never at a fixed position, so play at the table never makes a turn stale). Dice are
/// rolled here, on the server, before the append; nothing is ever rolled again.
/// </summary>
public sealed partial class TabletopService(
    StoryWriter writer,
    IStoryLog log,
    TabletopCache cache,
    RulesCatalog catalog,
    DiceRoller roller,
    Microsoft.Extensions.Logging.ILogger<TabletopService> logger
)
{
    public const int MaxReasonLength = 500;

    public async Task<TabletopView> GetAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        return await ViewAsync(adventureId, cancellationToken);
    }

    /// <summary>The table for a prompt (the adventure already loaded and owned).</summary>
    public Task<TabletopView> ViewAsync(string adventureId, CancellationToken cancellationToken) =>
        cache.ReadAsync(
            adventureId,
            fold => new TabletopView(
                adventureId,
                fold.Current,
                catalog.Get(fold.Current.System ?? RulesCatalog.DefaultSystem),
                fold.NewestTurnId
            ),
            cancellationToken
        );

    /// <summary>Rolls for the player and records it.</summary>
    public async Task<DiceRolled> RollAsync(
        string ownerId,
        string adventureId,
        RollRequest request,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(request);
        var view = await GetAsync(ownerId, adventureId, cancellationToken);
        var turnId = view.NewestTurnId ?? throw new NotFoundException("turn", "newest");
        if (request.RequestId is { } requestId)
        {
            var pending = await PendingChecksAsync(view, cancellationToken);
            var asked = pending.FirstOrDefault(p => p.RequestId == requestId)
                ?? throw ValidationFailedException.For(
                    "requestId",
                    $"No open check request '{requestId}': it was answered already or its turn is not the newest."
                );
            request = request with { Skill = asked.Skill, Dc = asked.Dc, Reason = request.Reason ?? asked.Reason };
        }
        var roll = Roll(view, request, turnId, "player", null);
        await writer.AppendLatestAsync(ownerId, adventureId, ownerId, [roll], cancellationToken);
        LogDiceRolled(logger, adventureId, roll.Expression, roll.Total);
        return roll;
    }

    /// <summary>Rolls without recording: the narrator's tools propose the event with their narration.</summary>
    public DiceRolled Roll(TabletopView view, RollRequest request, string turnId, string rolledBy, int? alternative)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(request);
        var reason = Clean(request.Reason, "reason", MaxReasonLength);
        var character = Clean(request.Character, "character", SheetMath.MaxNameLength);
        var sheet = character is null
            ? view.State.Sheets.Count == 1 && request.Skill is not null
                ? view.State.Sheets[0]
                : null
            : view.State.Sheet(character);
        character ??= sheet?.Name;
        if (request.Dc is < 0 or > 100)
        {
            throw ValidationFailedException.For("dc", "dc must be from 0 to 100.");
        }
        RollCheck? check = null;
        var expression = request.Expression;
        if (request.Skill is { } skill)
        {
            var (name, bonus) = SheetMath.CheckBonus(sheet, view.Rules, skill.Trim());
            var die =
                view.Rules.Check.Die
                + request.Advantage?.ToLowerInvariant() switch
                {
                    null or "" or "none" => "",
                    "advantage" or "adv" => "adv",
                    "disadvantage" or "dis" => "dis",
                    _ => throw ValidationFailedException.For(
                        "advantage",
                        "advantage must be advantage, disadvantage or none."
                    ),
                };
            expression = bonus == 0 ? die : $"{die}{(bonus > 0 ? "+" : "")}{bonus}";
            check = new RollCheck(name, bonus, request.Dc, null, request.RequestId);
            reason ??= name;
        }
        var result = roller.Roll(expression);
        if (check is not null)
        {
            check = check with { Success = check.Dc is { } dc ? result.Total >= dc : null };
        }
        return new DiceRolled(
            Resources.Ids.New(),
            turnId,
            rolledBy,
            result.Expression,
            result.Total,
            result.Text,
            result.Terms,
            character,
            reason,
            alternative,
            check
        );
    }

    public async Task<CharacterSheet> SaveSheetAsync(
        string ownerId,
        string adventureId,
        CharacterSheet sheet,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(sheet);
        var view = await GetAsync(ownerId, adventureId, cancellationToken);
        var errors = SheetMath.Validate(sheet, view.Rules);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }
        var rules = view.Rules;
        // Names as the rules spell them, so "Stealth" and "stealth" are one proficiency.
        sheet = sheet with
        {
            Name = sheet.Name.Trim(),
            Conditions = sheet.Conditions?.Select(c => rules.FindCondition(c)!.Id).Distinct().ToArray(),
            Skills = sheet.Skills?.Distinct().ToArray(),
        };
        var before = view.State.Sheet(sheet.Name);
        var turnId = view.NewestTurnId ?? throw new NotFoundException("turn", "newest");
        await writer.AppendLatestAsync(
            ownerId,
            adventureId,
            ownerId,
            [new SheetSaved(turnId, sheet, SheetChanges.Describe(before, sheet))],
            cancellationToken
        );
        return sheet;
    }

    public async Task RemoveSheetAsync(
        string ownerId,
        string adventureId,
        string name,
        CancellationToken cancellationToken
    )
    {
        var view = await GetAsync(ownerId, adventureId, cancellationToken);
        var sheet = view.State.Sheet(name) ?? throw new NotFoundException("sheet", name);
        await AppendAsync(ownerId, adventureId, view, t => new SheetRemoved(t, sheet.Name), cancellationToken);
    }

    public async Task<string> ChooseRulesAsync(
        string ownerId,
        string adventureId,
        string system,
        CancellationToken cancellationToken
    )
    {
        var rules = catalog.Get(system);
        var view = await GetAsync(ownerId, adventureId, cancellationToken);
        await AppendAsync(ownerId, adventureId, view, t => new RulesChosen(t, rules.Id), cancellationToken);
        return rules.Id;
    }

    /// <summary>Appends one table event at the newest turn and returns the table after it.</summary>
    public async Task<TabletopView> AppendAsync(
        string ownerId,
        string adventureId,
        TabletopView view,
        Func<string, IStoryEventPayload> change,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(change);
        var turnId = view.NewestTurnId ?? throw new NotFoundException("turn", "newest");
        await writer.AppendLatestAsync(ownerId, adventureId, ownerId, [change(turnId)], cancellationToken);
        return await ViewAsync(adventureId, cancellationToken);
    }

    /// <summary>The checks the newest narration asked the player for (prompt-only narration) and that no roll has
    /// answered yet.</summary>
    public async Task<IReadOnlyList<CheckRequest>> PendingChecksAsync(
        TabletopView view,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.NewestTurnId is not { } turnId)
        {
            return [];
        }
        var turn = await log.GetTurnAsync(view.AdventureId, turnId, cancellationToken);
        if (turn is null || turn.Alternatives.Count == 0)
        {
            return [];
        }
        var answered = view
            .State.Rolls.Where(r => r.Check?.RequestId is not null)
            .Select(r => r.Check!.RequestId!)
            .ToHashSet(StringComparer.Ordinal);
        return
        [
            .. CheckRequests
                .Read(turn.ChosenNarration.Text, turnId, turn.Chosen)
                .Where(r => !answered.Contains(r.RequestId)),
        ];
    }

    private static string? Clean(string? value, string field, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        return value.Length <= max
            ? value
            : throw ValidationFailedException.For(field, $"{field} must be at most {max} characters.");
    }

    [Microsoft.Extensions.Logging.LoggerMessage(
        EventId = LogEvents.Tabletop.DiceRolled,
        Level = Microsoft.Extensions.Logging.LogLevel.Debug,
        Message = "Dice rolled in adventure {AdventureId}: {Expression} = {Total}"
    )]
    private static partial void LogDiceRolled(
        Microsoft.Extensions.Logging.ILogger logger,
        string adventureId,
        string expression,
        int total
    );
}
