using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;

namespace StoryEngine.Tests.Knowledge;

/// <summary>
/// SillyTavern's <c>vectorized</c> entry flag (issue 20): a World Info field, and the same name inside a card entry's
/// <c>extensions</c> in SillyTavern's card export. Both map to <c>LoreEntry.Vectorized</c> and are written back.
/// </summary>
public sealed class VectorizedLoreFileTests
{
    private const string WorldInfo = """
        {"entries": {
          "0": {"uid": 0, "key": ["queen"], "content": "Queen Isolde rules Vell.", "vectorized": true},
          "1": {"uid": 1, "key": ["tide"], "content": "The tide floods at moonrise.", "vectorized": false}
        }}
        """;

    [Fact]
    public void vectorized_survives_world_info_and_card_round_trips()
    {
        var book = LorebookFile.Read(Encoding.UTF8.GetBytes(WorldInfo), "Vell");
        Assert.Equal([true, false], book.Entries.Select(e => e.Vectorized));
        Assert.All(book.Entries, e => Assert.False(e.Extensions.ContainsKey("vectorized")));

        var card = JsonNode.Parse(LorebookTransfer.Export(book, LorebookFormat.Card).Content)!;
        var entries = card["data"]!["entries"]!.AsArray();
        Assert.True(entries[0]!["extensions"]!["vectorized"]!.GetValue<bool>());
        Assert.Null(entries[1]!["extensions"]?["vectorized"]); // false is the default, left out as readers assume it
        var fromCard = LorebookFile.Read(LorebookTransfer.Export(book, LorebookFormat.Card).Content, "unused");
        Assert.Equal([true, false], fromCard.Entries.Select(e => e.Vectorized));

        var world = JsonNode.Parse(LorebookTransfer.Export(fromCard, LorebookFormat.SillyTavern).Content)!;
        Assert.True(world["entries"]!["0"]!["vectorized"]!.GetValue<bool>());
        Assert.False(world["entries"]!["1"]!["vectorized"]!.GetValue<bool>());
    }
}
