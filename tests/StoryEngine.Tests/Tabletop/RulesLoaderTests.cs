using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Core.Tabletop.Rules;

namespace StoryEngine.Tests.Tabletop;

/// <summary>Rules files are checked on load: the shipped SRD file is valid, and a broken homebrew file is refused with
/// every problem named by its JSON path.</summary>
public sealed class RulesLoaderTests
{
    private static JsonObject Srd()
    {
        using var stream = typeof(RulesCatalog).Assembly.GetManifestResourceStream(
            "StoryEngine.Core.Tabletop.Rules.srd-5.1.json"
        )!;
        return JsonNode.Parse(stream)!.AsObject();
    }

    private static RulesFileException Refused(JsonObject file) =>
        Assert.Throws<RulesFileException>(() =>
            RulesLoader.Load(Encoding.UTF8.GetBytes(file.ToJsonString()), "homebrew.json")
        );

    [Fact]
    public void the_shipped_srd_basics_load_and_carry_their_attribution()
    {
        var srd = RulesCatalog.Builtin();
        Assert.Equal("srd-5.1", srd.Id);
        Assert.Equal("CC-BY-4.0", srd.License);
        Assert.Contains("Creative Commons Attribution 4.0", srd.Attribution, StringComparison.Ordinal);
        Assert.Equal(6, srd.Abilities.Count);
        Assert.Equal(18, srd.Skills.Count);
        Assert.Equal(15, srd.Conditions.Count);
        Assert.Equal(9, srd.Races.Count);
        Assert.Equal([12, 8, 8, 8, 10, 8, 10, 10, 8, 6, 8, 6], srd.Classes.Select(c => c.HitDie));
    }

    [Fact]
    public void a_homebrew_system_is_a_new_file_not_new_code()
    {
        var file = Srd();
        file["id"] = "homebrew-1";
        file["name"] = "Homebrew";
        file["proficiencyBonus"] = new JsonArray(new JsonObject { ["minLevel"] = 1, ["bonus"] = 3 });
        var directory = Directory.CreateTempSubdirectory("rules");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "homebrew.json"), file.ToJsonString());
            var catalog = new RulesCatalog(new TabletopOptions { RulesDirectory = directory.FullName });
            Assert.Equal(["homebrew-1", "srd-5.1"], catalog.Systems.Select(s => s.Id));
            Assert.Equal(3, catalog.Get("homebrew-1").ProficiencyAt(1));
        }
        finally
        {
            directory.Delete(true);
        }
    }

    [Fact]
    public void the_built_in_system_is_parsed_once_on_first_use_and_a_file_cannot_take_its_id()
    {
        var loaded = new List<string>();
        var catalog = new RulesCatalog(new TabletopOptions(), system => loaded.Add(system.Id));
        Assert.Empty(loaded);
        Assert.Equal("srd-5.1", catalog.Get("SRD-5.1").Id);
        Assert.Equal(["srd-5.1"], catalog.Systems.Select(s => s.Id));
        Assert.Equal(["srd-5.1"], loaded);

        var file = Srd();
        var directory = Directory.CreateTempSubdirectory("rules");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "copy.json"), file.ToJsonString());
            var refused = Assert.Throws<RulesFileException>(() =>
                new RulesCatalog(new TabletopOptions { RulesDirectory = directory.FullName })
            );
            Assert.Contains("a rules system 'srd-5.1' is already loaded", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(true);
        }
    }

    [Fact]
    public void every_broken_reference_is_named_by_its_path()
    {
        var file = Srd();
        file["id"] = "Bad Id";
        file["skills"]![0]!["ability"] = "luck";
        file["classes"]![1]!["savingThrows"] = new JsonArray("dex", "charm");
        file["classes"]![2]!["hitDie"] = 1;
        file["races"]![0]!["abilityBonuses"] = new JsonObject { ["might"] = 2 };
        file["conditions"]!
            .AsArray()
            .Add(
                new JsonObject
                {
                    ["id"] = "blinded",
                    ["name"] = "Blinded again",
                    ["effects"] = new JsonArray(),
                }
            );
        var e = Refused(file);
        Assert.Equal("homebrew.json", e.File);
        Assert.Contains(e.Problems, p => p.StartsWith("$.id:", StringComparison.Ordinal));
        Assert.Contains("$.skills[0].ability: 'luck' is not one of the abilities", e.Problems);
        Assert.Contains("$.classes[1].savingThrows: 'charm' is not one of the ability ids", e.Problems);
        Assert.Contains("$.classes[2].hitDie: must be from 2 to 1000", e.Problems);
        Assert.Contains("$.races[0].abilityBonuses: 'might' is not one of the ability ids", e.Problems);
        Assert.Contains("$.conditions: the id 'blinded' appears 2 times", e.Problems);
        Assert.Contains("homebrew.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_misspelt_field_or_a_missing_one_is_refused_with_its_path()
    {
        var extra = Srd();
        extra["skils"] = new JsonArray();
        Assert.Contains("skils", Refused(extra).Problems[0], StringComparison.Ordinal);
        var missing = Srd();
        missing.Remove("classes");
        Assert.Contains("classes", Refused(missing).Problems[0], StringComparison.Ordinal);
        Assert.Contains(
            "not valid",
            Assert.Throws<RulesFileException>(() => RulesLoader.Load("{"u8, "x.json")).Message,
            StringComparison.Ordinal
        );
    }
}
