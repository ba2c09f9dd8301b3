using StoryEngine.Core.Errors;
using StoryEngine.Formats.Cards;

namespace StoryEngine.Tests.Formats;

/// <summary>A CHARX whose entry names are not plain relative paths is refused whole (issue 15, fault 5).</summary>
public sealed class CharxEntryNameTests
{
    internal static readonly byte[] Card =
        """{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Zipped"}}"""u8.ToArray();

    [Theory]
    [InlineData("../../evil.txt", "'..'")]
    [InlineData("assets/../../evil.txt", "'..'")]
    [InlineData("/etc/evil.txt", "absolute")]
    [InlineData("C:\\evil.txt", "backslash")]
    [InlineData("C:evil.txt", "':'")]
    [InlineData("assets\\..\\..\\evil.txt", "backslash")]
    [InlineData("\\\\server\\share\\evil.txt", "backslash")]
    [InlineData("assets//evil.txt", "empty")]
    [InlineData("./evil.txt", "'.'")]
    [InlineData("assets/ev\u0001il.txt", "control character")]
    [InlineData("../", "'..'")]
    public void charx_with_an_entry_that_is_not_a_plain_relative_path_is_refused_naming_it(string name, string why)
    {
        var file = BadCardFileTests.Zip(("card.json", Card), (name, "boo"u8.ToArray()));
        var refused = Assert.Throws<UnsafeArchiveEntryException>(() => CardFile.Read(file));
        Assert.Equal("unsafe_archive_entry", refused.Code);
        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
        var shown = name.Replace("\u0001", "\\u0001", StringComparison.Ordinal);
        Assert.Contains(shown, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void charx_with_plain_relative_paths_is_read()
    {
        var file = BadCardFileTests.Zip(
            ("card.json", Card),
            ("assets/icon/main.png", [1, 2, 3]),
            ("assets/", []),
            ("x/..y/z.txt", "dots inside a name are fine"u8.ToArray())
        );
        var card = CardFile.Read(file);
        Assert.Equal("Zipped", card.Character.Name);
    }
}
