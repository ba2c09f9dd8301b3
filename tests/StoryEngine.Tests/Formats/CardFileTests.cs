using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Png;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Formats;

/// <summary>The card library on the real files in ../shared/fixtures/cards, without a server.</summary>
public sealed class CardFileTests
{
    [Theory]
    [MemberData(nameof(SharedFixtures.Cards), MemberType = typeof(SharedFixtures))]
    public void every_fixture_card_survives_json_png_and_charx_round_trips(string fixture)
    {
        var first = CardFile.Read(SharedFixtures.Read(fixture));
        foreach (var format in Enum.GetValues<CardFormat>())
        {
            var exported = CardFile.Write(format, first.Character, first.Lorebook, first.Files);
            var again = CardFile.Read(exported);
            Same.Book(first.Lorebook, again.Lorebook);
            Assert.Equal("chara_card_v3", again.Spec);
            if (format == CardFormat.Charx && first.Files.Any(f => f.Path == CharacterFile.CardImage))
            {
                // By design: a CHARX names the PNG's picture as its main icon (docs/adr/0008); nothing else changes.
                Same.Character(
                    first.Character,
                    again.Character with
                    {
                        Extensions = Same.WithoutCharxIcon(again.Character.Extensions),
                    }
                );
                Assert.Equal(
                    first.Files.Single(f => f.Path == CharacterFile.CardImage).Data,
                    again.Files.Single(f => f.Path == CardFile.CharxIconPath).Data
                );
            }
            else
            {
                Same.Character(first.Character, again.Character);
            }
        }
    }

    [Fact]
    public void root_copies_of_data_fields_follow_the_edited_character_on_export()
    {
        // Issue 17: chub and SillyTavern cards copy data fields to the root (creatorcomment, tags, talkativeness, fav,
        // chub's creator_notes, system_prompt...). SillyTavern rewrites its copies from the edited values on save
        // (charaFormatData); an export here writes every copy from the current character, never the stale one.
        var card =
            """
            {"spec":"chara_card_v2","spec_version":"2.0","name":"Old","description":"old","creatorcomment":"old notes",
             "tags":["old"],"talkativeness":"0.5","fav":false,"system_prompt":"old prompt","avatar":"none",
             "data":{"name":"Old","description":"old","creator_notes":"old notes","tags":["old"],
              "system_prompt":"old prompt",
                     "extensions":{"talkativeness":"0.5","fav":false}}}
            """u8.ToArray();
        var read = CardFile.Read(card);
        var edited = read.Character with
        {
            Name = "New",
            CreatorNotes = "new notes",
            Tags = ["new"],
            SystemPrompt = "new prompt",
            Extensions = Edit(read.Character.Extensions, e => e["fav"] = true),
        };
        foreach (var format in new[] { CardFormat.Json, CardFormat.Png })
        {
            var exported = CardFile.Write(format, edited, read.Lorebook, read.Files);
            var root =
                format == CardFormat.Json
                    ? JsonNode.Parse(exported)!.AsObject()
                    : JsonNode.Parse(Convert.FromBase64String(TextChunks(exported)["chara"]))!.AsObject();
            Assert.Equal("new notes", root["creatorcomment"]!.GetValue<string>());
            Assert.Equal(["new"], root["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
            Assert.Equal("new prompt", root["system_prompt"]!.GetValue<string>());
            Assert.True(root["fav"]!.GetValue<bool>());
            Assert.Equal("0.5", root["talkativeness"]!.GetValue<string>());
            Assert.Equal("none", root["avatar"]!.GetValue<string>()); // not a copy: kept as it was
            Same.Character(edited, CardFile.Read(exported).Character);
        }
    }

    private static System.Text.Json.Nodes.JsonObject Edit(
        System.Text.Json.Nodes.JsonObject o,
        Action<System.Text.Json.Nodes.JsonObject> edit
    )
    {
        var copy = o.DeepClone().AsObject();
        edit(copy);
        return copy;
    }

    [Fact]
    public void png_export_keeps_the_imported_picture_and_writes_both_chunks()
    {
        var original = SharedFixtures.Read("cards/stcontent_Assistant_CapoGPT.png");
        var card = CardFile.Read(original);
        var exported = CardFile.Write(CardFormat.Png, card.Character, card.Lorebook, card.Files);

        Assert.Equal(ImageChunks(original), ImageChunks(exported));
        var texts = TextChunks(exported);
        Assert.Equal(["chara", "ccv3"], texts.Keys);
        Assert.Equal(
            "chara_card_v2",
            JsonNode.Parse(Convert.FromBase64String(texts["chara"]))!["spec"]!.GetValue<string>()
        );
        Assert.Equal("CapoGPT", JsonNode.Parse(Convert.FromBase64String(texts["chara"]))!["name"]!.GetValue<string>());
        Assert.Equal(
            "chara_card_v3",
            JsonNode.Parse(Convert.FromBase64String(texts["ccv3"]))!["spec"]!.GetValue<string>()
        );
    }

    [Fact]
    public void png_export_without_a_picture_draws_a_placeholder()
    {
        var card = CardFile.Read(SharedFixtures.Read("cards/st_legacy_Megumin_v1.json"));
        var exported = CardFile.Write(CardFormat.Png, card.Character, card.Lorebook, card.Files);
        Assert.True(PngChunks.HasSignature(exported));
        Assert.Equal("Megumin", CardFile.Read(exported).Character.Name);
    }

    [Fact]
    public void seraphina_prefers_the_ccv3_chunk_and_brings_the_eldoria_book()
    {
        var card = CardFile.Read(SharedFixtures.Read("cards/st_default_Seraphina.png"));
        Assert.Equal("chara_card_v3", card.Spec);
        Assert.Equal("Eldoria", card.Lorebook!.Name);
        Assert.Equal(4, card.Lorebook.Entries.Count);
        Assert.Equal(["eldoria", "wood", "forest", "magical forest"], card.Lorebook.Entries[0].Keys);
        Assert.Equal("OtisAlejandro", card.Character.Creator);
        Assert.Equal("Eldoria", card.Character.Extensions["world"]!.GetValue<string>());
        // use_regex is true on every entry with plain-word keys: kept to be written back, not taken as "keys are
        // regexes".
        Assert.True(card.Lorebook.Entries[0].Extensions["use_regex"]!.GetValue<bool>());
    }

    [Fact]
    public void sakana_has_fourteen_entries_four_of_them_selective_with_secondary_keys()
    {
        var book = CardFile.Read(SharedFixtures.Read("cards/stcontent_Assistant_Sakana.png")).Lorebook!;
        Assert.Equal("Sakana-WI", book.Name);
        Assert.Equal(14, book.Entries.Count);
        Assert.Equal(4, book.Entries.Count(e => e.Selective && e.SecondaryKeys.Count > 0));
        Assert.Equal(
            ["your hand", "your left hand", "your right hand"],
            book.Entries.Single(e => e.Id == 12).SecondaryKeys
        );
        Assert.All(book.Entries, e => Assert.Equal(1, e.Extensions["position"]!.GetValue<int>()));
    }

    [Fact]
    public void megumin_v1_has_no_spec_and_keeps_its_tavern_fields()
    {
        var png = CardFile.Read(SharedFixtures.Read("cards/st_legacy_Megumin_v1.png"));
        Assert.Equal("chara_card_v1", png.Spec);
        Assert.Equal("Megumin", png.Character.Name);
        Assert.Contains("\r\n", png.Character.ExampleMessages, StringComparison.Ordinal);
        Assert.Equal("1674407315335", Leftover(png.Character, "root", "create_date"));

        var json = CardFile.Read(SharedFixtures.Read("cards/st_legacy_Megumin_v1.json"));
        Assert.Equal("chara_card_v1", json.Spec);
        Assert.Equal("", json.Character.Scenario); // the TavernAI file has no scenario at all
        Assert.Equal("5a795034ade453ed351958ccc8f94bd6.jpeg", Leftover(json.Character, "root", "avatar"));
    }

    [Fact]
    public void default_chan_is_read_from_its_only_chunk_ccv3()
    {
        var card = CardFile.Read(SharedFixtures.Read("cards/choral_Default-chan_v3only.png"));
        Assert.Equal("chara_card_v3", card.Spec);
        Assert.Equal("Default-chan", card.Character.Name);
        Assert.Equal(2, card.Character.AlternateGreetings.Count);
        // extensions {} and nothing left over: group_only_greetings is simply absent
        Assert.Empty(card.Character.Extensions);
    }

    [Fact]
    public void amy_chara_chunk_holds_v3_json_and_is_read_as_v3()
    {
        var file = SharedFixtures.Read("cards/stcontent_Assistant_Amy.png");
        var chara = JsonNode.Parse(Convert.FromBase64String(TextChunks(file)["chara"]))!;
        Assert.Equal("chara_card_v3", chara["spec"]!.GetValue<string>());

        // Without the ccv3 chunk, the chara chunk alone is still read by its spec, as V3.
        var charaOnly = WithoutText(file, "ccv3");
        var card = CardFile.Read(charaOnly);
        Assert.Equal("chara_card_v3", card.Spec);
        Assert.Contains(card.Warnings, w => w.Contains("V3", StringComparison.Ordinal));
        Assert.Equal("Wolfram Ravenwolf", card.Character.Creator);
        // SillyTavern keeps group greetings in its own extension, which must survive as it is.
        Assert.StartsWith(
            "Hello, I'm here!",
            card.Character.Extensions["group_greetings"]![0]!.GetValue<string>(),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void capogpt_chunk_before_idat_is_found()
    {
        var file = SharedFixtures.Read("cards/stcontent_Assistant_CapoGPT.png");
        var chunks = PngChunks.Read(file, InvalidFileException.Card);
        Assert.Equal(["IHDR", "tEXt", "sRGB"], chunks.Take(3).Select(c => c.Type));
        Assert.Equal(33, chunks[1].Start);
        Assert.Equal("CapoGPT", CardFile.Read(file).Character.Name);
    }

    [Fact]
    public void a_v2_shape_without_its_spec_is_read_as_v2_with_a_warning()
    {
        var card = CardFile.Read(
            """{"data":{"name":"Wren","first_mes":"Hello.","nickname":"Little bird"}}"""u8.ToArray()
        );
        Assert.Equal(
            ("chara_card_v2", "Wren", "Hello."),
            (card.Spec, card.Character.Name, card.Character.FirstMessage)
        );
        Assert.Single(card.Warnings);
        Assert.Equal(
            "Little bird",
            card.Character.Extensions["storyengine"]!["card"]!["data"]!["nickname"]!.GetValue<string>()
        );
    }

    [Fact]
    public void our_own_fields_travel_in_extensions_storyengine()
    {
        var character = new Character
        {
            Name = "Bram",
            Appearance = "Soot on his hands",
            SpeechStyle = "Gruff",
            Goals = "Pay the debt",
            Extensions = new JsonObject { ["kept"] = 1 },
        };
        var json = CardFile.Write(CardFormat.Json, character, null, []);
        var card = JsonNode.Parse(json)!;
        Assert.Equal("Gruff", card["data"]!["extensions"]!["storyengine"]!["speechStyle"]!.GetValue<string>());
        Same.Character(character, CardFile.Read(json).Character);
    }

    private static string? Leftover(Character character, string part, string field) =>
        character.Extensions["storyengine"]?["card"]?[part]?[field]?.GetValue<string>();

    internal static Dictionary<string, string> TextChunks(byte[] png) =>
        PngText
            .Read(png, PngChunks.Read(png, InvalidFileException.Card))
            .ToDictionary(t => t.Text.Keyword, t => t.Text.Text);

    private static List<string> ImageChunks(byte[] png)
    {
        var chunks = PngChunks.Read(png, InvalidFileException.Card);
        return chunks.Where(c => c.Type != "tEXt").Select(c => Convert.ToHexString(png, c.Start, c.Size)).ToList();
    }

    internal static byte[] WithoutText(byte[] png, string keyword) =>
        PngText.Rewrite(png, PngChunks.Read(png, InvalidFileException.Card), [keyword], []);

    /// <summary>The PNG with its card chunks replaced by <paramref name="texts"/>, written as real chunks with good
    /// CRCs.</summary>
    internal static byte[] WithText(byte[] png, params (string Keyword, string Text)[] texts) =>
        PngText.Rewrite(
            png,
            PngChunks.Read(png, InvalidFileException.Card),
            ["chara", "ccv3"],
            texts.Select(t => new PngTextChunk(t.Keyword, t.Text)).ToArray()
        );
}
