using System.Text.Json.Nodes;

namespace StoryEngine.Formats.Cards;

/// <summary>Names shared by the card reader and writer (../shared/specs/character-cards.md §2, §3, §5).</summary>
internal static class CardFields
{
    public const string V2 = "chara_card_v2";
    public const string V3 = "chara_card_v3";

    /// <summary>Our own key in a card's <c>extensions</c> (the spec asks apps to namespace theirs).</summary>
    public const string Namespace = "storyengine";

    /// <summary>Under <see cref="Namespace"/>: the card's fields we do not model, <c>{"data": {...}, "root":
    /// {...}}</c>.</summary>
    public const string Leftovers = "card";

    /// <summary>The V1 fields, which V2/V3 move into <c>data</c> and SillyTavern also copies to the top
    /// level.</summary>
    public static readonly string[] V1 = ["name", "description", "personality", "scenario", "first_mes", "mes_example"];

    /// <summary>The <c>data</c> fields a Character models (plus the book and extensions, handled on their
    /// own).</summary>
    public static readonly string[] Modelled =
    [
        .. V1,
        "creator_notes",
        "system_prompt",
        "post_history_instructions",
        "alternate_greetings",
        "tags",
        "creator",
        "character_version",
        "extensions",
        "character_book",
    ];

    /// <summary>Under <see cref="Leftovers"/>: the root copies of data fields, by name (see Mirrors).</summary>
    public const string Mirrored = "mirrored";

    /// <summary>
    /// Top-level fields that copy a <c>data</c> field (by its path in <c>data</c>): SillyTavern's own (it rewrites
    /// <c>creatorcomment</c>, <c>talkativeness</c> and <c>fav</c> from the edited values on every save, in
    /// <c>charaFormatData</c>) and chub's, which duplicate V2 fields at the root. An export writes them from the
    /// current values, so an edited character never leaves a stale copy behind (issue 17).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> Mirrors = new Dictionary<string, string[]>(
        StringComparer.Ordinal
    )
    {
        ["creatorcomment"] = ["creator_notes"],
        ["talkativeness"] = ["extensions", "talkativeness"],
        ["fav"] = ["extensions", "fav"],
        ["creator_notes"] = ["creator_notes"],
        ["system_prompt"] = ["system_prompt"],
        ["post_history_instructions"] = ["post_history_instructions"],
        ["alternate_greetings"] = ["alternate_greetings"],
        ["tags"] = ["tags"],
        ["creator"] = ["creator"],
        ["character_version"] = ["character_version"],
        ["character_book"] = ["character_book"],
    };

    /// <summary>The value at <paramref name="path"/> in a card's <c>data</c>, or null.</summary>
    public static JsonNode? At(JsonObject data, string[] path)
    {
        JsonNode? node = data;
        foreach (var step in path)
        {
            node = node is JsonObject o ? o[step] : null;
        }
        return node;
    }

    /// <summary>Our fields that cards do not have; exported under <c>extensions.storyengine</c> to come back on
    /// import.</summary>
    public static readonly string[] Own = ["appearance", "speechStyle", "goals"];
}
