using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StoryEngine.Core.Tabletop.Rules;

/// <summary>A rules file that cannot be used: which file, and every problem found in it, each with its JSON
/// path.</summary>
public sealed class RulesFileException(string source, IReadOnlyList<string> problems)
    : Exception($"The rules file {source} is not valid: " + string.Join("; ", problems))
{
    public string File { get; } = source;

    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Reads and checks a rules system's file: the shape (unknown fields refused), then the references
/// between its parts (a skill's ability, a class's saving throws, a race's bonuses), all problems at once.</summary>
public static partial class RulesLoader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static RulesSystem Load(ReadOnlySpan<byte> utf8, string source)
    {
        RulesSystem? system;
        try
        {
            system = JsonSerializer.Deserialize<RulesSystem>(utf8, Json);
        }
        catch (JsonException e)
        {
            throw new RulesFileException(source, [$"{e.Path ?? "$"}: {e.Message}"]);
        }
        if (system is null)
        {
            throw new RulesFileException(source, ["$: the file holds null, not a rules system"]);
        }
        var problems = Validate(system);
        if (problems.Count > 0)
        {
            throw new RulesFileException(source, problems);
        }
        return system with { Hash = Convert.ToHexStringLower(SHA256.HashData(utf8).AsSpan(0, 12)) };
    }

    public static IReadOnlyList<string> Validate(RulesSystem s)
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
        Check(Slug().IsMatch(s.Id), "$.id: must be lower-case letters, digits, dots and dashes (e.g. srd-5.1)");
        Check(s.Name.Trim().Length > 0, "$.name: must not be empty");
        Check(s.License.Trim().Length > 0, "$.license: say under which licence the data may be used");
        var c = s.Check;
        Check(c.AbilityScoreMin <= c.AbilityScoreMax, "$.check: abilityScoreMin is above abilityScoreMax");
        Check(c.LevelMin >= 0 && c.LevelMin <= c.LevelMax, "$.check: levelMin must be from 0 to levelMax");
        try
        {
            Dice.DiceParser.Parse(c.Die);
        }
        catch (Errors.StoryEngineException e)
        {
            problems.Add($"$.check.die: '{c.Die}' is not dice notation ({e.Message})");
        }
        Check(s.ProficiencyBonus.Count > 0, "$.proficiencyBonus: needs at least one step");
        for (var i = 1; i < s.ProficiencyBonus.Count; i++)
        {
            Check(
                s.ProficiencyBonus[i].MinLevel > s.ProficiencyBonus[i - 1].MinLevel,
                $"$.proficiencyBonus[{i}]: minLevel must rise from step to step"
            );
        }
        Unique(s.Abilities.Select(a => a.Id), "$.abilities", problems);
        Unique(s.Skills.Select(a => a.Id), "$.skills", problems);
        Unique(s.Conditions.Select(a => a.Id), "$.conditions", problems);
        Unique(s.Races.Select(a => a.Id), "$.races", problems);
        Unique(s.Classes.Select(a => a.Id), "$.classes", problems);
        Check(s.Abilities.Count > 0, "$.abilities: needs at least one ability");
        var abilities = s.Abilities.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var skills = s.Skills.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < s.Skills.Count; i++)
        {
            Check(
                abilities.Contains(s.Skills[i].Ability),
                $"$.skills[{i}].ability: '{s.Skills[i].Ability}' is not one of the abilities"
            );
        }
        for (var i = 0; i < s.Races.Count; i++)
        {
            var race = s.Races[i];
            Known(race.AbilityBonuses.Keys, abilities, $"$.races[{i}].abilityBonuses", "ability", problems);
            Known(race.SkillProficiencies ?? [], skills, $"$.races[{i}].skillProficiencies", "skill", problems);
            Check(race.Speed >= 0, $"$.races[{i}].speed: must not be negative");
            for (var j = 0; j < (race.Subraces?.Count ?? 0); j++)
            {
                Known(
                    race.Subraces![j].AbilityBonuses.Keys,
                    abilities,
                    $"$.races[{i}].subraces[{j}].abilityBonuses",
                    "ability",
                    problems
                );
            }
        }
        for (var i = 0; i < s.Classes.Count; i++)
        {
            var cls = s.Classes[i];
            Check(cls.HitDie is >= 2 and <= Dice.DiceLimits.MaxSides, $"$.classes[{i}].hitDie: must be from 2 to 1000");
            Known(cls.SavingThrows, abilities, $"$.classes[{i}].savingThrows", "ability", problems);
            Known(cls.PrimaryAbilities, abilities, $"$.classes[{i}].primaryAbilities", "ability", problems);
            Known(cls.SkillChoices.From, skills, $"$.classes[{i}].skillChoices.from", "skill", problems);
            Check(
                cls.SkillChoices.Count >= 0 && cls.SkillChoices.Count <= cls.SkillChoices.From.Count,
                $"$.classes[{i}].skillChoices.count: must be from 0 to the number of skills to choose from"
            );
            if (cls.SpellcastingAbility is { } spell)
            {
                Known([spell], abilities, $"$.classes[{i}].spellcastingAbility", "ability", problems);
            }
        }
        return problems;
    }

    private static void Unique(IEnumerable<string> ids, string path, List<string> problems)
    {
        foreach (var id in ids.GroupBy(i => i, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{path}: the id '{id.Key}' appears {id.Count()} times");
        }
        foreach (var id in ids.Where(i => !Slug().IsMatch(i)))
        {
            problems.Add($"{path}: the id '{id}' must be lower-case letters, digits, dots and dashes");
        }
    }

    private static void Known(
        IEnumerable<string> ids,
        HashSet<string> known,
        string path,
        string what,
        List<string> problems
    )
    {
        foreach (var id in ids.Where(i => !known.Contains(i)))
        {
            problems.Add($"{path}: '{id}' is not one of the {what} ids");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,63}$")]
    private static partial Regex Slug();
}
