using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Formats;

/// <summary>The lorebook formats on the real files in ../shared/fixtures/lorebooks, without a server.</summary>
public sealed class LorebookFileTests
{
    [Theory]
    [MemberData(nameof(SharedFixtures.Lorebooks), MemberType = typeof(SharedFixtures))]
    public void every_fixture_lorebook_survives_world_info_and_card_round_trips(string fixture)
    {
        var first = LorebookFile.Read(SharedFixtures.Read(fixture), Path.GetFileNameWithoutExtension(fixture));
        Assert.NotEmpty(first.Entries);
        foreach (var format in new[] { LorebookFormat.SillyTavern, LorebookFormat.Card })
        {
            var again = LorebookFile.Read(LorebookTransfer.Export(first, format).Content, "unused");
            Same.Book(first, again);
        }
    }

    [Theory]
    [MemberData(nameof(SharedFixtures.Lorebooks), MemberType = typeof(SharedFixtures))]
    public void every_fixture_lorebook_keeps_what_novelai_can_hold(string fixture)
    {
        var first = LorebookFile.Read(SharedFixtures.Read(fixture), Path.GetFileNameWithoutExtension(fixture));
        var again = LorebookFile.Read(LorebookTransfer.Export(first, LorebookFormat.NovelAi).Content, "unused");
        Assert.Equal(first.Name, again.Name);
        Assert.Equal(first.Entries.Count, again.Entries.Count);
        foreach (var (before, after) in first.Entries.Zip(again.Entries))
        {
            Assert.Equal(before.Keys, after.Keys);
            Assert.Equal(before.Content, after.Content);
            Assert.Equal(before.Enabled, after.Enabled);
            Assert.Equal(before.Constant, after.Constant);
            Assert.Equal(before.Name.Length > 0 ? before.Name : before.Comment, after.Name);
        }
    }

    [Fact]
    public void eldoria_world_info_and_seraphinas_embedded_book_read_alike()
    {
        var world = LorebookFile.Read(SharedFixtures.Read("lorebooks/st_Eldoria.json"), "Eldoria");
        var embedded = CardFile.Read(SharedFixtures.Read("cards/st_default_Seraphina.png")).Lorebook!;
        Assert.Equal(4, world.Entries.Count);
        Assert.Equal(
            world.Entries.Select(e =>
                (
                    e.Id,
                    e.Comment,
                    e.Content,
                    Keys: string.Join('|', e.Keys),
                    e.Selective,
                    e.InsertionOrder,
                    e.Enabled,
                    e.Probability
                )
            ),
            embedded.Entries.Select(e =>
                (
                    e.Id,
                    e.Comment,
                    e.Content,
                    Keys: string.Join('|', e.Keys),
                    e.Selective,
                    e.InsertionOrder,
                    e.Enabled,
                    e.Probability
                )
            )
        );
        // The unmodelled settings use one spelling whichever file they came from.
        Assert.Equal(0, world.Entries[2].Extensions["display_index"]!.GetValue<int>() - 2);
        Assert.Equal(
            embedded.Entries[2].Extensions["display_index"]!.GetValue<int>(),
            world.Entries[2].Extensions["display_index"]!.GetValue<int>()
        );
    }

    [Fact]
    public void legacy_world_info_files_get_sillytavern_defaults()
    {
        var toaru = LorebookFile.Read(SharedFixtures.Read("lorebooks/st_legacy_Toaru.json"), "Toaru");
        Assert.Equal("Toaru", toaru.Name);
        Assert.Equal(18, toaru.Entries.Count);
        Assert.All(toaru.Entries, e => Assert.True(e.Enabled));
        Assert.All(toaru.Entries, e => Assert.Equal(100, e.Probability));
        Assert.Equal(8, toaru.Entries[0].InsertionOrder);

        var kobold = LorebookFile.Read(SharedFixtures.Read("lorebooks/st_legacy_KoboldAI_Sample.json"), "Sample");
        Assert.Equal(["AAA", "BBB"], kobold.Entries.Select(e => e.Name));
        Assert.Equal(100, kobold.Entries[0].InsertionOrder); // no order in the file
        Assert.Equal([0, 1], kobold.Extensions["folders"]!["Sample Folder"]!.AsArray().Select(n => n!.GetValue<int>()));
    }

    [Fact]
    public void novelai_lorebook_maps_its_fields_and_keeps_its_own()
    {
        var file =
            """
            {"lorebookVersion":5,"entries":[
              {"text":"The harbour town.","contextConfig":{"prefix":"","suffix":"\n","tokenBudget":2048,
               "budgetPriority":600,"insertionPosition":-1},
               "lastUpdatedAt":1700000000000,"displayName":"Saltmere","id":"5f0c9a52-7b1e-4cf1-a6a3-7f2b8d7c1e11",
                "keys":["Saltmere","/salt\\s*mere/i"],
               "searchRange":2000,"enabled":true,"forceActivation":false,"keyRelative":false,
                "nonStoryActivatable":false,"category":"","loreBiasGroups":[]},
              {"text":"Always true.","displayName":"Rule","id":"0d7e4a43-2f59-4f1b-9a57-2b1c5e0f9d20","keys":[],
               "enabled":false,"forceActivation":true}],
             "settings":{"orderByKeyLocations":true},"categories":[]}
            """u8.ToArray();
        var book = LorebookFile.Read(file, "Saltmere lore");
        Assert.Equal("Saltmere lore", book.Name);
        var saltmere = book.Entries[0];
        Assert.Equal(("Saltmere", "The harbour town.", 600), (saltmere.Name, saltmere.Content, saltmere.Priority));
        Assert.True(LoreKeys.IsRegex(saltmere.Keys[1]));
        Assert.Matches(LoreKeys.Compile(saltmere.Keys[1])!, "SALT  MERE");
        Assert.Equal(2000, saltmere.Extensions["searchRange"]!.GetValue<int>());
        Assert.True(book.Entries[1].Constant);
        Assert.False(book.Entries[1].Enabled);

        var again = JsonNode.Parse(LorebookTransfer.Export(book, LorebookFormat.NovelAi).Content)!;
        Assert.Equal(5, again["lorebookVersion"]!.GetValue<int>());
        Assert.True(again["settings"]!["orderByKeyLocations"]!.GetValue<bool>());
        Assert.Equal("5f0c9a52-7b1e-4cf1-a6a3-7f2b8d7c1e11", again["entries"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(2048, again["entries"]![0]!["contextConfig"]!["tokenBudget"]!.GetValue<int>());
        Assert.Equal(600, again["entries"]![0]!["contextConfig"]!["budgetPriority"]!.GetValue<int>());
        Same.Book(book, LorebookFile.Read(Encoding.UTF8.GetBytes(again.ToJsonString()), "unused"));
    }

    [Theory]
    [MemberData(nameof(SharedFixtures.Lorebooks), MemberType = typeof(SharedFixtures))]
    public void a_novelai_export_of_every_fixture_lorebook_comes_back_through_sillytavern_world_info(string fixture)
    {
        // Issue 17: NovelAI → SillyTavern World Info → us was refused (400 invalid_lorebook): the World Info file
        // kept NovelAI's lorebookVersion and was taken for a NovelAI book.
        var first = LorebookFile.Read(SharedFixtures.Read(fixture), Path.GetFileNameWithoutExtension(fixture));
        var novelAi = LorebookFile.Read(LorebookTransfer.Export(first, LorebookFormat.NovelAi).Content, "unused");
        var worldInfo = LorebookTransfer.Export(novelAi, LorebookFormat.SillyTavern).Content;
        var again = LorebookFile.Read(worldInfo, "unused");
        Same.Book(novelAi, again);
        Same.Book(novelAi, LorebookFile.Read(LorebookTransfer.Export(again, LorebookFormat.NovelAi).Content, "unused"));
    }

    [Fact]
    public void a_regex_key_that_does_not_compile_is_named_with_its_entry()
    {
        var book = LorebookFile.Read(
            """
            {"entries":{"7":{"uid":7,"comment":"Harbour","key":["harbour","/[unclosed/i"],"content":"x"}}}
            """u8.ToArray(),
            "Bad"
        );
        var errors = new FieldErrors();
        book.Validate(errors);
        var problem = Assert.Throws<ValidationFailedException>(errors.ThrowIfAny);
        var message = Assert.Single(problem.Errors["entries[0].keys[1]"]);
        Assert.Contains("entry 7 (\"Harbour\")", message, StringComparison.Ordinal);
        Assert.Contains("/[unclosed/i", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dragon", false)]
    [InlineData("/dragon/", true)]
    [InlineData("/dra(g|k)on/gi", true)]
    [InlineData("/not a regex", false)]
    [InlineData("/x/q", false)] // q is no JavaScript flag, so it is plain text, as in SillyTavern
    [InlineData("//", false)]
    public void regex_keys_are_written_as_javascript_literals(string key, bool regex) =>
        Assert.Equal(regex, LoreKeys.IsRegex(key));

    [Fact]
    public void unknown_json_is_refused_as_an_unsupported_format()
    {
        Assert.Throws<UnsupportedFormatException>(() =>
            LorebookFile.Read("""{"kind":"memory","entries":[]}"""u8.ToArray(), "x")
        );
        Assert.Throws<UnsupportedFormatException>(() => LorebookFile.Read("""{"something":"else"}"""u8.ToArray(), "x"));
        Assert.Throws<UnsupportedFormatException>(() => LorebookFile.Read("GIF89a"u8.ToArray(), "x"));
        var broken = Assert.Throws<InvalidFileException>(() =>
            LorebookFile.Read("""{"entries":{"0":{"key":"a","content":5}}}"""u8.ToArray(), "x")
        );
        Assert.Equal("invalid_lorebook", broken.Code);
        Assert.Contains("entries.0.content", broken.Message, StringComparison.Ordinal);
    }
}
