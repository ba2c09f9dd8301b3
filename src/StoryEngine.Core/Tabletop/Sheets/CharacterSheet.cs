namespace StoryEngine.Core.Tabletop.Sheets;

/// <summary>
/// A character's sheet in one adventure (issue 23): what the player writes down. Everything that follows from it
/// (modifiers, saves, skills, passive perception, proficiency bonus) is computed by <see cref="SheetMath"/> from the
/// rules system, never stored. <see cref="Npc"/> marks a world character's stat block.
/// </summary>
/// <param name="Abilities">Scores by ability id (str, dex, …).</param>
/// <param name="SavingThrows">Ability ids the character is proficient in saving with; null: the class's.</param>
/// <param name="Skills">Skill ids the character is proficient in.</param>
/// <param name="Expertise">Skill ids whose proficiency bonus counts twice.</param>
public sealed record CharacterSheet(
    string Name,
    IReadOnlyDictionary<string, int> Abilities,
    int Level = 1,
    string? Race = null,
    string? Class = null,
    int Xp = 0,
    IReadOnlyList<string>? SavingThrows = null,
    IReadOnlyList<string>? Skills = null,
    IReadOnlyList<string>? Expertise = null,
    HitPoints? Hp = null,
    int ArmorClass = 10,
    int? Speed = null,
    IReadOnlyList<string>? Conditions = null,
    IReadOnlyList<string>? Inventory = null,
    IReadOnlyList<string>? Spells = null,
    IReadOnlyList<SpellSlots>? SpellSlots = null,
    string? Notes = null,
    bool Npc = false
);

public sealed record HitPoints(int Current, int Max, int Temp = 0);

/// <summary>Slots of one spell level: how many, and how many are spent.</summary>
public sealed record SpellSlots(int Level, int Max, int Used = 0);

/// <summary>What a sheet's numbers come to under its rules system.</summary>
public sealed record SheetDerived(
    int ProficiencyBonus,
    IReadOnlyDictionary<string, int> Modifiers,
    IReadOnlyDictionary<string, int> SavingThrows,
    IReadOnlyDictionary<string, int> Skills,
    int PassivePerception,
    int Initiative,
    int Speed,
    int? HitDie
);
