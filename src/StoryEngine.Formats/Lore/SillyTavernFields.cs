using System.Text.Json.Nodes;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Json;

namespace StoryEngine.Formats.Lore;

/// <summary>
/// SillyTavern's entry settings and their two spellings: camelCase fields of a World Info entry, snake_case keys of
/// a card entry's <c>extensions</c> (../shared/specs/character-cards.md §6, the list its card export writes).
/// </summary>
internal static class SillyTavernFields
{
    /// <summary>World Info field → card <c>extensions</c> key, for the settings we keep but do not model.</summary>
    public static readonly IReadOnlyDictionary<string, string> WorldToCard = new Dictionary<string, string>(
        StringComparer.Ordinal
    )
    {
        ["displayIndex"] = "display_index",
        ["groupOverride"] = "group_override",
        ["groupWeight"] = "group_weight",
        ["useGroupScoring"] = "use_group_scoring",
        ["automationId"] = "automation_id",
    };

    public static readonly IReadOnlyDictionary<string, string> CardToWorld = WorldToCard.ToDictionary(
        p => p.Value,
        p => p.Key,
        StringComparer.Ordinal
    );

    public static SelectiveLogic Logic(int? value, string at, JsonFields json) =>
        value switch
        {
            null => SelectiveLogic.AndAny,
            >= 0 and <= 3 => (SelectiveLogic)value,
            _ => throw json.Invalid($"{at} must be 0 (AND ANY), 1 (NOT ALL), 2 (NOT ANY) or 3 (AND ALL); got {value}."),
        };

    /// <summary>
    /// chub's <c>key_logic</c>: SillyTavern's logic by the names of its <c>world_info_logic</c> constants
    /// (<c>AND_ANY</c>, <c>NOT_ALL</c>, <c>NOT_ANY</c>, <c>AND_ALL</c>), in any case; null when the field is absent.
    /// </summary>
    public static SelectiveLogic? KeyLogic(JsonObject o, string at, JsonFields json) =>
        o["key_logic"] is JsonValue n && n.TryGetValue<int>(out var number)
            ? Logic(number, JsonFields.Path(at, "key_logic"), json)
            : json.OptionalText(o, "key_logic", at)?.Trim().ToUpperInvariant() switch
            {
                null => null,
                "AND_ANY" => SelectiveLogic.AndAny,
                "NOT_ALL" => SelectiveLogic.NotAll,
                "NOT_ANY" => SelectiveLogic.NotAny,
                "AND_ALL" => SelectiveLogic.AndAll,
                var other => throw json.Invalid(
                    $"{JsonFields.Path(at, "key_logic")} must be AND_ANY, NOT_ALL, NOT_ANY or AND_ALL; got {other}."
                ),
            };

    /// <summary>SillyTavern writes false, true (level 1) or a recursion level.</summary>
    public static int RecursionDelay(JsonNode? value, string at, JsonFields json) =>
        value switch
        {
            null => 0,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? 1 : 0,
            JsonValue v when v.TryGetValue<int>(out var level) && level >= 0 => level,
            _ => throw json.Invalid($"{at} must be true, false or a recursion level."),
        };

    public static JsonNode RecursionDelayValue(int level) =>
        level switch
        {
            0 => false,
            1 => true,
            _ => level,
        };

    /// <summary>Our fields as a card entry's <c>extensions</c> keys; defaults are left out, as readers assume
    /// them.</summary>
    public static void WriteCardExtensions(LoreEntry e, JsonObject extensions)
    {
        if (e.SelectiveLogic != SelectiveLogic.AndAny)
        {
            extensions["selectiveLogic"] = (int)e.SelectiveLogic;
        }
        if (e.Probability != 100)
        {
            extensions["probability"] = e.Probability;
        }
        JsonOut.SetIfAny(extensions, "scan_depth", e.ScanDepth);
        JsonOut.SetIfAny(extensions, "case_sensitive", e.CaseSensitive);
        JsonOut.SetIfAny(extensions, "match_whole_words", e.MatchWholeWords);
        JsonOut.SetIfAny(extensions, "sticky", e.Sticky);
        JsonOut.SetIfAny(extensions, "cooldown", e.Cooldown);
        JsonOut.SetIfAny(extensions, "delay", e.Delay);
        if (e.ExcludeRecursion)
        {
            extensions["exclude_recursion"] = true;
        }
        if (e.PreventRecursion)
        {
            extensions["prevent_recursion"] = true;
        }
        if (e.DelayUntilRecursion != 0)
        {
            extensions["delay_until_recursion"] = RecursionDelayValue(e.DelayUntilRecursion);
        }
        if (e.Vectorized)
        {
            extensions["vectorized"] = true;
        }
    }
}
