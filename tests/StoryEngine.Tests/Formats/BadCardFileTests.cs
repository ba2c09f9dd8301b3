using System.IO.Compression;
using System.Text;
using StoryEngine.Core.Errors;
using StoryEngine.Formats.Cards;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Formats;

/// <summary>Broken and hostile card files are refused with a message that says what is wrong, never a crash.</summary>
public sealed class BadCardFileTests
{
    public static TheoryData<string, byte[], string> Cases()
    {
        var seraphina = SharedFixtures.Read("cards/st_default_Seraphina.png");
        var capo = SharedFixtures.Read("cards/stcontent_Assistant_CapoGPT.png");
        return new TheoryData<string, byte[], string>
        {
            { "truncated PNG", seraphina[..(seraphina.Length / 2)], "truncated" },
            { "truncated PNG, card chunk before the cut", capo[..(capo.Length - 100)], "truncated" },
            {
                "PNG without a card chunk",
                CardFileTests.WithoutText(CardFileTests.WithoutText(seraphina, "chara"), "ccv3"),
                "no tEXt chunk named chara or ccv3"
            },
            {
                "broken base64",
                CardFileTests.WithText(capo, ("chara", "eyJuYW1lIjoi###not-base64")),
                "not valid base64"
            },
            {
                "chunk with invalid JSON",
                CardFileTests.WithText(capo, ("chara", Convert.ToBase64String("{\"name\": \"x\","u8))),
                "not valid JSON"
            },
            { "damaged CRC", Flip(capo, 50), "CRC" },
            { "invalid JSON", "{\"spec\":\"chara_card_v2\",\"data\":{\"name\":\"x\""u8.ToArray(), "not valid JSON" },
            {
                "JSON card without a name",
                """{"spec":"chara_card_v2","spec_version":"2.0","data":{"description":"nameless"}}"""u8.ToArray(),
                "no name"
            },
            { "V1 card with a blank name", "{\"name\":\"  \",\"first_mes\":\"hi\"}"u8.ToArray(), "no name" },
            {
                "wrong type",
                "{\"spec\":\"chara_card_v3\",\"data\":{\"name\":\"x\",\"tags\":[1.5,{}]}}"u8.ToArray(),
                "data.tags[1] must be text"
            },
            { "zip without card.json", Zip(("readme.txt", "hello"u8.ToArray())), "no card.json" },
            { "zip bomb", Bomb(), "zip bomb" },
            { "not a zip", [.. "PK\x03\x04"u8, .. new byte[64]], "not a readable zip" },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void broken_files_are_refused_as_invalid_cards(string what, byte[] file, string message)
    {
        var problem = Assert.Throws<InvalidFileException>(() => CardFile.Read(file));
        Assert.Equal("invalid_card", problem.Code);
        Assert.True(problem.Message.Contains(message, StringComparison.Ordinal), $"{what}: {problem.Message}");
    }

    [Fact]
    public void files_that_are_no_card_at_all_are_an_unsupported_format()
    {
        Assert.Throws<UnsupportedFormatException>(() => CardFile.Read("GIF89a......"u8.ToArray()));
        Assert.Throws<UnsupportedFormatException>(() =>
            CardFile.Read("{\"spec\":\"chara_card_v9\",\"data\":{\"name\":\"x\"}}"u8.ToArray())
        );
    }

    [Fact]
    public void a_lorebook_sent_as_a_card_says_where_it_belongs()
    {
        var problem = Assert.Throws<InvalidFileException>(() =>
            CardFile.Read("{\"spec\":\"lorebook_v3\",\"data\":{\"entries\":[]}}"u8.ToArray())
        );
        Assert.Contains("import it as a lorebook", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_broken_ccv3_chunk_falls_back_to_chara_with_a_warning()
    {
        var seraphina = SharedFixtures.Read("cards/st_default_Seraphina.png");
        var chara = CardFileTests.TextChunks(seraphina)["chara"];
        var file = CardFileTests.WithText(seraphina, ("ccv3", "%%%"), ("chara", chara));
        var card = CardFile.Read(file);
        Assert.Equal("chara_card_v2", card.Spec);
        Assert.Contains(card.Warnings, w =>
            w.Contains("ccv3", StringComparison.Ordinal) && w.Contains("base64", StringComparison.Ordinal)
        );
    }

    /// <summary>100 MB of zeros packed into about 100 KB: more than the ratio and the total allow.</summary>
    internal static byte[] Bomb()
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var card = archive.CreateEntry("card.json").Open())
            {
                card.Write("{\"spec\":\"chara_card_v3\",\"data\":{\"name\":\"Boom\"}}"u8);
            }
            using var zeros = archive.CreateEntry("assets/other/zeros.bin", CompressionLevel.SmallestSize).Open();
            var block = new byte[1024 * 1024];
            for (var i = 0; i < 100; i++)
            {
                zeros.Write(block);
            }
        }
        return output.ToArray();
    }

    internal static byte[] Zip(params (string Path, byte[] Data)[] files)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, data) in files)
            {
                using var stream = archive.CreateEntry(path).Open();
                stream.Write(data);
            }
        }
        return output.ToArray();
    }

    private static byte[] Flip(byte[] file, int at)
    {
        var copy = file.ToArray();
        copy[at] ^= 0xFF;
        return copy;
    }
}
