using StoryEngine.Core.Tabletop.Rules;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Tests.Tabletop;

/// <summary>Sheets' derived values against the SRD 5.1's own worked examples and tables.</summary>
public sealed class SheetMathTests
{
    private static readonly RulesSystem Srd = RulesCatalog.Builtin();

    private static CharacterSheet Sheet(int level = 1, params (string, int)[] scores) =>
        new("Test", scores.ToDictionary(s => s.Item1, s => s.Item2), level);

    [Theory]
    // SRD "Ability Scores and Modifiers" table: 1 → −5, 2–3 → −4, …, 10–11 → +0, …, 30 → +10.
    [InlineData(1, -5)]
    [InlineData(2, -4)]
    [InlineData(3, -4)]
    [InlineData(8, -1)]
    [InlineData(9, -1)]
    [InlineData(10, 0)]
    [InlineData(11, 0)]
    [InlineData(12, 1)]
    [InlineData(15, 2)]
    [InlineData(16, 3)]
    [InlineData(20, 5)]
    [InlineData(29, 9)]
    [InlineData(30, 10)]
    public void ability_modifiers_follow_the_srd_table(int score, int modifier)
    {
        Assert.Equal(modifier, SheetMath.Modifier(score));
    }

    [Theory]
    // SRD "Character Advancement": +2 at levels 1–4, +3 at 5–8, +4 at 9–12, +5 at 13–16, +6 at 17–20.
    [InlineData(1, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(8, 3)]
    [InlineData(9, 4)]
    [InlineData(13, 5)]
    [InlineData(16, 5)]
    [InlineData(17, 6)]
    [InlineData(20, 6)]
    public void proficiency_bonus_rises_with_level_as_the_srd_table_says(int level, int bonus)
    {
        Assert.Equal(bonus, SheetMath.Derive(Sheet(level), Srd).ProficiencyBonus);
    }

    [Fact]
    public void the_srd_passive_check_example_a_first_level_character_with_wisdom_15_proficient_in_perception_has_14()
    {
        // SRD 5.1, "Passive Checks": "if a 1st-level character has a Wisdom of 15 and proficiency in Perception, he
        // or she has a passive Wisdom (Perception) score of 14."
        var sheet = Sheet(1, ("wis", 15)) with { Skills = ["perception"] };
        Assert.Equal(14, SheetMath.Derive(sheet, Srd).PassivePerception);
        Assert.Equal(12, SheetMath.Derive(Sheet(1, ("wis", 15)), Srd).PassivePerception);
    }

    [Fact]
    public void saving_throws_come_from_the_class_unless_the_sheet_names_them()
    {
        // A level 1 fighter (Str and Con saves) with Str 16 and Con 14: Str save +5, Con save +4, Dex save +0.
        var fighter = Sheet(1, ("str", 16), ("con", 14)) with { Class = "fighter" };
        var d = SheetMath.Derive(fighter, Srd);
        Assert.Equal(5, d.SavingThrows["str"]);
        Assert.Equal(4, d.SavingThrows["con"]);
        Assert.Equal(0, d.SavingThrows["dex"]);
        Assert.Equal(10, d.HitDie);
        var own = SheetMath.Derive(fighter with { SavingThrows = ["dex"] }, Srd);
        Assert.Equal(3, own.SavingThrows["str"]);
        Assert.Equal(2, own.SavingThrows["dex"]);
    }

    [Fact]
    public void expertise_doubles_the_proficiency_bonus_and_skills_use_their_ability()
    {
        // A level 5 rogue with Dex 18 and expertise in Stealth: +4 + 2 × 3 = +10; Sleight of Hand proficient: +7;
        // Athletics (Str 8, not proficient): −1.
        var rogue = Sheet(5, ("dex", 18), ("str", 8)) with
        {
            Class = "rogue",
            Skills = ["stealth", "sleight-of-hand"],
            Expertise = ["stealth"],
        };
        var d = SheetMath.Derive(rogue, Srd);
        Assert.Equal(10, d.Skills["stealth"]);
        Assert.Equal(7, d.Skills["sleight-of-hand"]);
        Assert.Equal(-1, d.Skills["athletics"]);
        Assert.Equal(4, d.Initiative);
    }

    [Fact]
    public void speed_comes_from_the_race_when_the_sheet_has_none()
    {
        Assert.Equal(25, SheetMath.Derive(Sheet() with { Race = "dwarf" }, Srd).Speed);
        Assert.Equal(35, SheetMath.Derive(Sheet() with { Race = "dwarf", Speed = 35 }, Srd).Speed);
    }

    [Theory]
    [InlineData("stealth", "Stealth", 5)]
    [InlineData("Sleight of Hand", "Sleight of Hand", 3)]
    [InlineData("dex", "Dexterity", 3)]
    [InlineData("Wisdom", "Wisdom", 1)]
    [InlineData("dex save", "Dexterity save", 5)]
    public void a_check_takes_the_skill_ability_or_save_bonus(string what, string name, int bonus)
    {
        var sheet = Sheet(1, ("dex", 16), ("wis", 12)) with { Class = "rogue", Skills = ["stealth"] };
        Assert.Equal((name, bonus), SheetMath.CheckBonus(sheet, Srd, what));
    }
}
