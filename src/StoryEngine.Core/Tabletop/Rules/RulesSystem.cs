using System.Text.Json.Serialization;

namespace StoryEngine.Core.Tabletop.Rules;

/// <summary>
/// A game's reference data (issue 23): abilities, skills, conditions, races and classes, and the numbers the sheets
/// derive from (proficiency bonus by level, the passive base, the score and level bounds). A system is a data file
/// (<c>srd-5.1.json</c> ships inside the program; more come from <c>Tabletop:RulesDirectory</c>), so another game is
/// a new file, not new code. Loaded by <see cref="RulesLoader"/>, which checks it.
/// </summary>
public sealed record RulesSystem(
    string Id,
    string Name,
    int Version,
    string License,
    string Attribution,
    CheckRules Check,
    IReadOnlyList<ProficiencyStep> ProficiencyBonus,
    IReadOnlyList<Ability> Abilities,
    IReadOnlyList<Skill> Skills,
    IReadOnlyList<Condition> Conditions,
    IReadOnlyList<Race> Races,
    IReadOnlyList<CharacterClass> Classes
)
{
    /// <summary>A tag that changes whenever the file's bytes do (set by the loader).</summary>
    [JsonIgnore]
    public string Hash { get; init; } = "";

    public Ability? FindAbility(string id) => Abilities.FirstOrDefault(a => Same(a.Id, id) || Same(a.Name, id));

    public Skill? FindSkill(string id) =>
        Skills.FirstOrDefault(s => Same(s.Id, id) || Same(s.Name, id) || Same(s.Id, id.Replace(' ', '-')));

    public Condition? FindCondition(string id) => Conditions.FirstOrDefault(c => Same(c.Id, id) || Same(c.Name, id));

    public Race? FindRace(string id) => Races.FirstOrDefault(r => Same(r.Id, id) || Same(r.Name, id));

    public CharacterClass? FindClass(string id) => Classes.FirstOrDefault(c => Same(c.Id, id) || Same(c.Name, id));

    /// <summary>The proficiency bonus at a level: the bonus of the last step whose level it has reached.</summary>
    public int ProficiencyAt(int level) =>
        ProficiencyBonus.LastOrDefault(s => s.MinLevel <= level)?.Bonus ?? ProficiencyBonus[0].Bonus;

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

/// <summary>How checks work: the die rolled, the passive base, and the bounds of scores and levels.</summary>
public sealed record CheckRules(
    string Die,
    int PassiveBase,
    int AbilityScoreMin,
    int AbilityScoreMax,
    int LevelMin,
    int LevelMax
);

public sealed record ProficiencyStep(int MinLevel, int Bonus);

public sealed record Ability(string Id, string Name, string Description);

public sealed record Skill(string Id, string Name, string Ability);

public sealed record Condition(string Id, string Name, IReadOnlyList<string> Effects);

public sealed record Race(
    string Id,
    string Name,
    string Size,
    int Speed,
    IReadOnlyDictionary<string, int> AbilityBonuses,
    IReadOnlyList<string> Traits,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string>? SkillProficiencies = null,
    IReadOnlyList<Subrace>? Subraces = null
);

public sealed record Subrace(
    string Id,
    string Name,
    IReadOnlyDictionary<string, int> AbilityBonuses,
    IReadOnlyList<string> Traits
);

public sealed record CharacterClass(
    string Id,
    string Name,
    int HitDie,
    IReadOnlyList<string> PrimaryAbilities,
    IReadOnlyList<string> SavingThrows,
    IReadOnlyList<string> Armor,
    IReadOnlyList<string> Weapons,
    SkillChoices SkillChoices,
    string? SpellcastingAbility = null
);

public sealed record SkillChoices(int Count, IReadOnlyList<string> From);
