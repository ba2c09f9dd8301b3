using System.Globalization;

namespace StoryEngine.Core.Tabletop.Sheets;

/// <summary>Says in a few words what a save changed on a sheet, for the log and the transcript ("HP 12 → 7;
/// conditions + poisoned").</summary>
public static class SheetChanges
{
    public static string Describe(CharacterSheet? before, CharacterSheet after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null)
        {
            return "created";
        }
        var changes = new List<string>();
        void Compare<T>(string what, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {a} → {b}"));
            }
        }
        Compare("level", before.Level, after.Level);
        Compare("XP", before.Xp, after.Xp);
        Compare("HP", before.Hp?.Current, after.Hp?.Current);
        Compare("max HP", before.Hp?.Max, after.Hp?.Max);
        Compare("temp HP", before.Hp?.Temp, after.Hp?.Temp);
        Compare("AC", before.ArmorClass, after.ArmorClass);
        foreach (var ability in before.Abilities.Keys.Union(after.Abilities.Keys).Order(StringComparer.Ordinal))
        {
            Compare(ability, before.Abilities.GetValueOrDefault(ability), after.Abilities.GetValueOrDefault(ability));
        }
        Lists("conditions", before.Conditions, after.Conditions, changes);
        Lists("skills", before.Skills, after.Skills, changes);
        Lists("inventory", before.Inventory, after.Inventory, changes);
        Lists("spells", before.Spells, after.Spells, changes);
        if (!(before.SpellSlots ?? []).SequenceEqual(after.SpellSlots ?? []))
        {
            changes.Add("spell slots");
        }
        if (before.Notes != after.Notes)
        {
            changes.Add("notes");
        }
        return changes.Count == 0 ? "saved unchanged" : string.Join("; ", changes);
    }

    private static void Lists(string what, IReadOnlyList<string>? a, IReadOnlyList<string>? b, List<string> changes)
    {
        var added = (b ?? []).Except(a ?? [], StringComparer.OrdinalIgnoreCase).ToArray();
        var removed = (a ?? []).Except(b ?? [], StringComparer.OrdinalIgnoreCase).ToArray();
        if (added.Length + removed.Length > 0)
        {
            changes.Add(
                $"{what}" + string.Concat(added.Select(x => $" + {x}")) + string.Concat(removed.Select(x => $" − {x}"))
            );
        }
    }
}
