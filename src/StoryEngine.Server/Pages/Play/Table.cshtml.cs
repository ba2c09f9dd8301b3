using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Sheets;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// The table of a rules game (issue 23; docs/tabletop.md): roll dice, answer the narrator's check requests with one
/// click, keep character sheets, run a fight. Plain forms, the same calls as the API; every change is a story event.
/// The play view's panel (<see cref="TabletopPanelViewComponent"/>) posts here too and comes back to the story.
/// </summary>
public sealed class TableModel(AdventureService adventures, TabletopService tabletop, TabletopCombat combat)
    : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>"play" when the post came from the play view's panel: go back there.</summary>
    [BindProperty]
    public string? Back { get; set; }

    [BindProperty]
    public SheetForm Sheet { get; set; } = new();

    public Adventure Adventure { get; private set; } = null!;

    public TabletopView View { get; private set; } = null!;

    public IReadOnlyList<CheckRequest> Pending { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostRollAsync(
        string? expression,
        string? reason,
        string? character,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var roll = await tabletop.RollAsync(
                    UserId,
                    Id,
                    new RollRequest(expression, reason, character),
                    cancellationToken
                );
                return Done(TabletopPrompt.Describe(roll), Return());
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostCheckAsync(string? requestId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var roll = await tabletop.RollAsync(
                    UserId,
                    Id,
                    new RollRequest(null, RequestId: requestId ?? ""),
                    cancellationToken
                );
                return Done(TabletopPrompt.Describe(roll) + ". The narrator sees it next turn.", Return());
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostSheetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var saved = await tabletop.SaveSheetAsync(UserId, Id, Sheet.ToSheet(), cancellationToken);
                return Done($"Saved {saved.Name}'s sheet.", $"/play/{Id}/table#sheets");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRemoveSheetAsync(string? name, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await tabletop.RemoveSheetAsync(UserId, Id, name ?? "", cancellationToken);
                return Done($"Removed {name}'s sheet.", $"/play/{Id}/table#sheets");
            },
            () => LoadAsync(cancellationToken)
        );

    /// <summary>One combatant a line: "Name", "Name, initiative" or "Name, initiative, hp" (initiative left empty is
    /// rolled).</summary>
    public Task<IActionResult> OnPostCombatAsync(string? combatants, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var entries = (combatants ?? "")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(Entry)
                    .ToArray();
                await combat.StartAsync(UserId, Id, entries, cancellationToken);
                return Done("The fight is on.", Return());
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostActAsync(
        string? act,
        string? name,
        int? delta,
        string? condition,
        int? rounds,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var view = await combat.ActAsync(
                    UserId,
                    Id,
                    new TableAction(act ?? "", name, delta, null, condition, rounds),
                    cancellationToken
                );
                var now = view.State.Combat is { } c ? $"Round {c.Round}: {c.Current?.Name}'s turn." : "Done.";
                return Done(now, Return());
            },
            () => LoadAsync(cancellationToken)
        );

    private string Return() => Back == "play" ? $"/play/{Id}#tabletop" : $"/play/{Id}/table";

    private static CombatantEntry Entry(string line)
    {
        var parts = line.Split(',', StringSplitOptions.TrimEntries);
        int? Number(int i) =>
            parts.Length > i && parts[i].Length > 0
                ? int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                    ? n
                    : throw ValidationFailedException.For("combatants", $"'{parts[i]}' is not a whole number ({line}).")
                : null;
        return new CombatantEntry(parts[0], Number(1), Number(2));
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
        View = await tabletop.GetAsync(UserId, Id, cancellationToken);
        Pending = await tabletop.PendingChecksAsync(View, cancellationToken);
    }
}

/// <summary>A sheet as the form edits it: lists as comma-separated text.</summary>
public sealed class SheetForm
{
    public string? Name { get; set; }

    public string? Race { get; set; }

    public string? Class { get; set; }

    public int Level { get; set; } = 1;

    public int Xp { get; set; }

    public int Str { get; set; } = 10;

    public int Dex { get; set; } = 10;

    public int Con { get; set; } = 10;

    public int Int { get; set; } = 10;

    public int Wis { get; set; } = 10;

    public int Cha { get; set; } = 10;

    public string? Skills { get; set; }

    public int HpCurrent { get; set; } = 1;

    public int HpMax { get; set; } = 1;

    public int HpTemp { get; set; }

    public int ArmorClass { get; set; } = 10;

    public string? Conditions { get; set; }

    public string? Inventory { get; set; }

    public bool Npc { get; set; }

    public CharacterSheet ToSheet() =>
        new(
            Name ?? "",
            new Dictionary<string, int>
            {
                ["str"] = Str,
                ["dex"] = Dex,
                ["con"] = Con,
                ["int"] = Int,
                ["wis"] = Wis,
                ["cha"] = Cha,
            },
            Level,
            string.IsNullOrWhiteSpace(Race) ? null : Race.Trim(),
            string.IsNullOrWhiteSpace(Class) ? null : Class.Trim(),
            Xp,
            Skills: List(Skills, slug: true),
            Hp: new HitPoints(HpCurrent, HpMax, HpTemp),
            ArmorClass: ArmorClass,
            Conditions: List(Conditions, slug: true),
            Inventory: List(Inventory, slug: false),
            Npc: Npc
        );

    public static SheetForm From(CharacterSheet s) =>
        new()
        {
            Name = s.Name,
            Race = s.Race,
            Class = s.Class,
            Level = s.Level,
            Xp = s.Xp,
            Str = s.Abilities.GetValueOrDefault("str", 10),
            Dex = s.Abilities.GetValueOrDefault("dex", 10),
            Con = s.Abilities.GetValueOrDefault("con", 10),
            Int = s.Abilities.GetValueOrDefault("int", 10),
            Wis = s.Abilities.GetValueOrDefault("wis", 10),
            Cha = s.Abilities.GetValueOrDefault("cha", 10),
            Skills = string.Join(", ", s.Skills ?? []),
            HpCurrent = s.Hp?.Current ?? 1,
            HpMax = s.Hp?.Max ?? 1,
            HpTemp = s.Hp?.Temp ?? 0,
            ArmorClass = s.ArmorClass,
            Conditions = string.Join(", ", s.Conditions ?? []),
            Inventory = string.Join(", ", s.Inventory ?? []),
            Npc = s.Npc,
        };

    private static string[] List(string? text, bool slug) =>
        [
            .. (text ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(i => slug ? i.ToLowerInvariant().Replace(' ', '-') : i),
        ];
}
