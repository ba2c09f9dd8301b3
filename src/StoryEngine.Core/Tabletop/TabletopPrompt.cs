using System.Globalization;
using System.Text;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Tabletop;

/// <summary>
/// The table as the narrator reads it in the volatile block (issue 23): the rules, each sheet with its derived numbers,
/// the fight and whose turn it is, the newest rolls ("Ada rolled Stealth: 17 vs DC 15, success"), and how to ask for a
/// check. Empty for a plain story, so its prompt is as before.
/// </summary>
public static class TabletopPrompt
{
    /// <summary>How many of the newest rolls the narrator sees.</summary>
    public const int RecentRolls = 6;

    public static string Render(TabletopView? view, bool tools)
    {
        if (view is null || view.State.IsEmpty)
        {
            return "";
        }
        var rules = view.Rules;
        var state = view.State;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# The table (rules: {rules.Name})\n");
        foreach (var sheet in state.Sheets)
        {
            text.Append("- ").Append(Sheet(sheet, view)).Append('\n');
        }
        if (state.Combat is { } combat)
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"Combat, round {combat.Round}: it is {combat.Current?.Name ?? "nobody"}'s turn. Order: "
            );
            text.AppendJoin(
                ", ",
                combat.Order.Select(c =>
                    string.Create(CultureInfo.InvariantCulture, $"{c.Name} (init {c.Initiative}, HP {c.Hp}/{c.MaxHp}")
                    + (c.TempHp > 0 ? $" +{c.TempHp} temp" : "")
                    + string.Concat(
                        c.Conditions.Select(t => t.RoundsLeft is { } n ? $", {t.Condition} {n} rd" : $", {t.Condition}")
                    )
                    + (c.Hp == 0 ? ", down" : "")
                    + ")"
                )
            );
            text.Append('\n');
        }
        var rolls = state.Rolls.TakeLast(RecentRolls).ToArray();
        if (rolls.Length > 0)
        {
            text.Append("Recent rolls (the server rolled these; use them as they fell):\n");
            foreach (var roll in rolls)
            {
                text.Append("- ").Append(Describe(roll)).Append('\n');
            }
        }
        text.Append(
            tools
                ? "When the outcome of an action is uncertain, call request_check (a skill or ability and a DC) or "
                    + "roll "
                    + "(any dice) and narrate the result you get; never invent dice results."
                : "When the outcome of an action is uncertain, stop and end your reply with a marked request such as "
                    + CheckRequests.Example
                    + " — the player rolls it; never invent dice results."
        );
        return text.ToString();
    }

    /// <summary>"Ada rolled Stealth: 17 (1d20+5 = [12] + 5 = 17) vs DC 15, success — sneaking past the
    /// guard".</summary>
    public static string Describe(DiceRolled roll)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var who = roll.Character ?? (roll.RolledBy == "narrator" ? "The narrator" : "The player");
        var what = roll.Check?.Skill ?? roll.Reason;
        var text = new StringBuilder(who).Append(" rolled ");
        text.Append(what is null ? "" : what + ": ");
        text.Append(CultureInfo.InvariantCulture, $"{roll.Total} ({roll.Text})");
        if (roll.Check is { Dc: { } dc, Success: { } success })
        {
            text.Append(CultureInfo.InvariantCulture, $" vs DC {dc}, {(success ? "success" : "failure")}");
        }
        if (roll.Check is not null && roll.Reason is { } reason && reason != roll.Check.Skill)
        {
            text.Append(" — ").Append(reason);
        }
        return text.ToString();
    }

    private static string Sheet(CharacterSheet sheet, TabletopView view)
    {
        var d = SheetMath.Derive(sheet, view.Rules);
        var rules = view.Rules;
        var text = new StringBuilder(sheet.Name);
        var who = string.Join(
            " ",
            new[]
            {
                sheet.Npc ? "NPC" : null,
                $"level {sheet.Level.ToString(CultureInfo.InvariantCulture)}",
                sheet.Race is null ? null : rules.FindRace(sheet.Race)?.Name,
                sheet.Class is null ? null : rules.FindClass(sheet.Class)?.Name,
            }.Where(p => p is not null)
        );
        text.Append(" (").Append(who).Append("): ");
        if (sheet.Hp is { } hp)
        {
            text.Append(CultureInfo.InvariantCulture, $"HP {hp.Current}/{hp.Max}");
            text.Append(hp.Temp > 0 ? $" +{hp.Temp} temp" : "").Append(", ");
        }
        text.Append(CultureInfo.InvariantCulture, $"AC {sheet.ArmorClass}, ");
        text.AppendJoin(
            " ",
            rules.Abilities.Select(a =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{a.Id.ToUpperInvariant()} {sheet.Abilities.GetValueOrDefault(a.Id, 10)} "
                        + $"({Signed(d.Modifiers[a.Id])})"
                )
            )
        );
        text.Append(CultureInfo.InvariantCulture, $"; proficiency {Signed(d.ProficiencyBonus)}");
        text.Append(CultureInfo.InvariantCulture, $"; passive Perception {d.PassivePerception}");
        if (sheet.Skills is { Count: > 0 } skills)
        {
            text.Append("; skills ")
                .AppendJoin(", ", skills.Select(s => $"{rules.FindSkill(s)?.Name ?? s} {Signed(d.Skills[s])}"));
        }
        if (sheet.Conditions is { Count: > 0 } conditions)
        {
            text.Append("; conditions ").AppendJoin(", ", conditions);
        }
        if (sheet.Inventory is { Count: > 0 } items)
        {
            text.Append("; carries ").AppendJoin(", ", items.Take(20));
        }
        if (sheet.SpellSlots is { Count: > 0 } slots)
        {
            text.Append("; spell slots ")
                .AppendJoin(
                    ", ",
                    slots.Select(s =>
                        string.Create(CultureInfo.InvariantCulture, $"L{s.Level} {s.Max - s.Used}/{s.Max}")
                    )
                );
        }
        return text.ToString();
    }

    public static string Signed(int n) =>
        n >= 0 ? $"+{n.ToString(CultureInfo.InvariantCulture)}" : n.ToString(CultureInfo.InvariantCulture);
}
