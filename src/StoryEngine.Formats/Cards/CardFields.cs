namespace StoryEngine.Formats.Cards;

/// <summary>Names shared by the card reader and writer (../shared/specs/character-cards.md §2, §3, §5).</summary>
internal static class CardFields
{
    public const string V2 = "chara_card_v2";
    public const string V3 = "chara_card_v3";

    /// <summary>Our own key in a card's <c>extensions</c> (the spec asks apps to namespace theirs).</summary>
    public const string Namespace = "storyengine";

    /// <summary>Under <see cref="Namespace"/>: the card's fields we do not model, <c>{"data": {...}, "root": {...}}</c>.</summary>
    public const string Leftovers = "card";

    /// <summary>The V1 fields, which V2/V3 move into <c>data</c> and SillyTavern also copies to the top level.</summary>
    public static readonly string[] V1 = ["name", "description", "personality", "scenario", "first_mes", "mes_example"];

    /// <summary>The <c>data</c> fields a Character models (plus the book and extensions, handled on their own).</summary>
    public static readonly string[] Modelled =
    [
        .. V1, "creator_notes", "system_prompt", "post_history_instructions", "alternate_greetings", "tags", "creator",
        "character_version", "extensions", "character_book",
    ];

    /// <summary>Our fields that cards do not have; exported under <c>extensions.storyengine</c> to come back on import.</summary>
    public static readonly string[] Own = ["appearance", "speechStyle", "goals"];
}
