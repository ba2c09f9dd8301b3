using StoryEngine.Core.Errors;
using StoryEngine.Core.Tabletop.Rules;

namespace StoryEngine.Core.Tabletop.Sheets;

/// <summary>
/// The arithmetic of a sheet, as the SRD states it: an ability modifier is ⌊(score − 10) / 2⌋; a proficient save or
/// skill adds the proficiency bonus of the character's level (twice with expertise); a passive check is the passive
/// base (10) plus the check's modifier. The numbers come from the rules system's file.
/// </summary>
public static class SheetMath
{
    public const int MaxNameLength = 100;
    public const int MaxListItems = 200;
    public const int MaxItemLength = 200;

    public static int Modifier(int score) => (int)Math.Floor((score - 10) / 2.0);

    public static SheetDerived Derive(CharacterSheet sheet, RulesSystem rules)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        ArgumentNullException.ThrowIfNull(rules);
        var pb = rules.ProficiencyAt(sheet.Level);
        var modifiers = rules.Abilities.ToDictionary(
            a => a.Id,
            a => Modifier(sheet.Abilities.TryGetValue(a.Id, out var s) ? s : 10),
            StringComparer.Ordinal
        );
        var cls = sheet.Class is null ? null : rules.FindClass(sheet.Class);
        var saveProficiencies = (sheet.SavingThrows ?? cls?.SavingThrows ?? []).ToHashSet(StringComparer.Ordinal);
        var saves = rules.Abilities.ToDictionary(
            a => a.Id,
            a => modifiers[a.Id] + (saveProficiencies.Contains(a.Id) ? pb : 0),
            StringComparer.Ordinal
        );
        var proficient = (sheet.Skills ?? []).ToHashSet(StringComparer.Ordinal);
        var expert = (sheet.Expertise ?? []).ToHashSet(StringComparer.Ordinal);
        var skills = rules.Skills.ToDictionary(
            s => s.Id,
            s =>
                modifiers[s.Ability]
                + (
                    expert.Contains(s.Id) ? 2 * pb
                    : proficient.Contains(s.Id) ? pb
                    : 0
                ),
            StringComparer.Ordinal
        );
        var perception = rules.FindSkill("perception") is { } p ? skills[p.Id] : modifiers.GetValueOrDefault("wis");
        var race = sheet.Race is null ? null : rules.FindRace(sheet.Race);
        return new SheetDerived(
            pb,
            modifiers,
            saves,
            skills,
            rules.Check.PassiveBase + perception,
            modifiers.GetValueOrDefault("dex"),
            sheet.Speed ?? race?.Speed ?? 30,
            cls?.HitDie
        );
    }

    /// <summary>The bonus a check of <paramref name="what"/> (a skill or an ability, by id or name) adds, and the
    /// name it goes by; refused when the system knows neither.</summary>
    public static (string Name, int Bonus) CheckBonus(CharacterSheet? sheet, RulesSystem rules, string what)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.FindSkill(what) is { } skill)
        {
            return (skill.Name, sheet is null ? 0 : Derive(sheet, rules).Skills[skill.Id]);
        }
        if (rules.FindAbility(what) is { } ability)
        {
            return (ability.Name, sheet is null ? 0 : Derive(sheet, rules).Modifiers[ability.Id]);
        }
        var save = what.EndsWith(" save", StringComparison.OrdinalIgnoreCase) ? what[..^5] : null;
        if (save is not null && rules.FindAbility(save) is { } saved)
        {
            return ($"{saved.Name} save", sheet is null ? 0 : Derive(sheet, rules).SavingThrows[saved.Id]);
        }
        throw ValidationFailedException.For(
            "skill",
            $"'{what}' is neither a skill nor an ability of {rules.Name} (e.g. stealth, perception, dex, "
                + "wis save)."
        );
    }

    /// <summary>Every problem with a sheet under its rules, field by field (empty when it is good).</summary>
    public static Dictionary<string, string[]> Validate(CharacterSheet sheet, RulesSystem rules)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        ArgumentNullException.ThrowIfNull(rules);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }
        if (string.IsNullOrWhiteSpace(sheet.Name) || sheet.Name.Length > MaxNameLength)
        {
            Add("name", $"name is required, at most {MaxNameLength} characters.");
        }
        var c = rules.Check;
        foreach (var (id, score) in sheet.Abilities ?? new Dictionary<string, int>())
        {
            if (rules.Abilities.All(a => a.Id != id))
            {
                Add(
                    "abilities",
                    $"'{id}' is not an ability of {rules.Name} "
                        + $"({string.Join(", ", rules.Abilities.Select(a => a.Id))})."
                );
            }
            else if (score < c.AbilityScoreMin || score > c.AbilityScoreMax)
            {
                Add("abilities", $"{id} must be from {c.AbilityScoreMin} to {c.AbilityScoreMax}.");
            }
        }
        if (sheet.Level < c.LevelMin || sheet.Level > c.LevelMax)
        {
            Add("level", $"level must be from {c.LevelMin} to {c.LevelMax}.");
        }
        if (sheet.Xp < 0)
        {
            Add("xp", "xp must not be negative.");
        }
        if (sheet.Race is { } race && rules.FindRace(race) is null)
        {
            Add("race", $"'{race}' is not a race of {rules.Name}.");
        }
        if (sheet.Class is { } cls && rules.FindClass(cls) is null)
        {
            Add("class", $"'{cls}' is not a class of {rules.Name}.");
        }
        foreach (var id in sheet.SavingThrows ?? [])
        {
            if (rules.Abilities.All(a => a.Id != id))
            {
                Add("savingThrows", $"'{id}' is not an ability id.");
            }
        }
        foreach (var (field, list) in new[] { ("skills", sheet.Skills), ("expertise", sheet.Expertise) })
        {
            foreach (var id in list ?? [])
            {
                if (rules.Skills.All(s => s.Id != id))
                {
                    Add(field, $"'{id}' is not a skill id of {rules.Name}.");
                }
            }
        }
        foreach (var id in sheet.Conditions ?? [])
        {
            if (rules.FindCondition(id) is null)
            {
                Add("conditions", $"'{id}' is not a condition of {rules.Name}.");
            }
        }
        if (sheet.Hp is { } hp && (hp.Max < 1 || hp.Current < 0 || hp.Current > hp.Max || hp.Temp < 0))
        {
            Add("hp", "hp needs max ≥ 1, current from 0 to max, and temp ≥ 0.");
        }
        if (sheet.ArmorClass is < 0 or > 100)
        {
            Add("armorClass", "armorClass must be from 0 to 100.");
        }
        if (sheet.Speed is < 0 or > 1000)
        {
            Add("speed", "speed must be from 0 to 1000.");
        }
        foreach (var slot in sheet.SpellSlots ?? [])
        {
            if (slot.Level is < 1 or > 9 || slot.Max < 0 || slot.Used < 0 || slot.Used > slot.Max)
            {
                Add("spellSlots", "each slot needs a level from 1 to 9, max ≥ 0, and used from 0 to max.");
            }
        }
        foreach (
            var (field, list) in new[]
            {
                ("inventory", sheet.Inventory),
                ("spells", sheet.Spells),
                ("skills", sheet.Skills),
                ("conditions", sheet.Conditions),
            }
        )
        {
            if (list is { Count: > MaxListItems } || list?.Any(i => i is null || i.Length > MaxItemLength) == true)
            {
                Add(field, $"{field} takes at most {MaxListItems} items of at most {MaxItemLength} characters.");
            }
        }
        if (sheet.Notes is { Length: > 10_000 })
        {
            Add("notes", "notes must be at most 10000 characters.");
        }
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
