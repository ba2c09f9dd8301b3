using System.Globalization;
using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Json;
using StoryEngine.Formats.Lore;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// Reads a card's JSON, V1, V2 or V3, deciding the version from its <c>spec</c> field only (a V3 card may sit in a
/// PNG chunk named for V2). Fields we model become the character's; every other field is kept under
/// <c>extensions.storyengine.card</c> and written back where it was by <see cref="CardWriter"/>
/// (docs/adr/0008-character-cards-and-lorebooks.md).
/// </summary>
public static class CardReader
{
    private static readonly JsonFields Json = new(InvalidFileException.Card);

    /// <summary>Parses and reads a card from UTF-8 JSON.</summary>
    public static (Character Character, Lorebook? Lorebook, string Spec) Read(
        ReadOnlySpan<byte> utf8,
        string what,
        List<string> warnings
    ) => Read(Json.ParseObject(utf8, what), warnings);

    public static (Character Character, Lorebook? Lorebook, string Spec) Read(JsonObject root, List<string> warnings)
    {
        var spec = root["spec"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw Json.Invalid("spec must be text, such as chara_card_v2."),
        };
        JsonObject data;
        string at;
        switch (spec)
        {
            case CardFields.V3:
            case CardFields.V2:
                data = Json.Object(root, "data", "") ?? throw Json.Invalid($"A {spec} card needs a data object.");
                at = "data";
                WarnAboutVersion(root, spec, warnings);
                break;
            case null when root["name"] is null && root["data"] is JsonObject { } nested && nested["name"] is not null:
                // A V2 shape that forgot its spec: read it as V2 rather than refuse a card whose name is plainly there.
                data = nested;
                at = "data";
                spec = CardFields.V2;
                warnings.Add("The card has a data object but no spec; it was read as chara_card_v2.");
                break;
            case null:
                // V1: the fields sit at the top level; there is no spec (§2).
                data = root;
                at = "";
                break;
            case "lorebook_v3":
                throw Json.Invalid(
                    "This file is a lorebook (spec lorebook_v3), not a character card: import it as " + "a lorebook."
                );
            default:
                throw new UnsupportedFormatException(
                    $"Unknown card spec '{spec}': we read chara_card_v2, " + "chara_card_v3 and V1 cards (no spec)."
                );
        }

        var name = Json.Text(data, "name", at);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Json.Invalid($"The card has no name ({JsonFields.Path(at, "name")}); every card needs one.");
        }
        var extensions = Json.Object(data, "extensions", at)?.DeepClone().AsObject() ?? [];
        var own = TakeOwnFields(extensions);
        var book = Json.Object(data, "character_book", at) is { } b
            ? CardBookFormat.Read(b, JsonFields.Path(at, "character_book"), $"{name} lore", Json)
            : null;

        KeepLeftovers(root, data, isV1: spec is null, extensions);
        var character = new Character
        {
            Name = name,
            Description = Json.Text(data, "description", at),
            Personality = Json.Text(data, "personality", at),
            Scenario = Json.Text(data, "scenario", at),
            FirstMessage = Json.Text(data, "first_mes", at),
            ExampleMessages = Json.Text(data, "mes_example", at),
            CreatorNotes = Json.Text(data, "creator_notes", at),
            SystemPrompt = Json.Text(data, "system_prompt", at),
            PostHistoryInstructions = Json.Text(data, "post_history_instructions", at),
            AlternateGreetings = Json.TextList(data, "alternate_greetings", at),
            // Blank tags mean nothing and our tags may not be blank; everything else is kept as written.
            Tags = Json.TextList(data, "tags", at).Where(t => !string.IsNullOrWhiteSpace(t)).ToArray(),
            Creator = Json.Text(data, "creator", at),
            CharacterVersion = Json.Text(data, "character_version", at),
            Appearance = own.GetValueOrDefault("appearance", ""),
            SpeechStyle = own.GetValueOrDefault("speechStyle", ""),
            Goals = own.GetValueOrDefault("goals", ""),
            Extensions = extensions,
        };
        return (character, book, spec ?? "chara_card_v1");
    }

    /// <summary>Reads back what our own export put under <c>extensions.storyengine</c>, and removes it.</summary>
    private static Dictionary<string, string> TakeOwnFields(JsonObject extensions)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extensions[CardFields.Namespace] is not JsonObject ours)
        {
            return own;
        }
        foreach (var field in CardFields.Own)
        {
            if (ours[field] is JsonValue v && v.TryGetValue<string>(out var text))
            {
                own[field] = text;
                ours.Remove(field);
            }
        }
        ours.Remove(CardFields.Leftovers);
        if (ours.Count == 0)
        {
            extensions.Remove(CardFields.Namespace);
        }
        return own;
    }

    /// <summary>
    /// Keeps the card's fields we do not model: <c>data</c> fields (nickname, assets, source, dates, ...) and top-level
    /// ones (SillyTavern's avatar, chat, create_date, ...). The top-level copies of the V1 fields are not kept: the
    /// export writes them fresh from the character. An empty <c>group_only_greetings</c> is V3's default and not kept.
    /// </summary>
    private static void KeepLeftovers(JsonObject root, JsonObject data, bool isV1, JsonObject extensions)
    {
        var dataLeft = isV1 ? new JsonObject() : JsonFields.Without(data, CardFields.Modelled);
        if (dataLeft["group_only_greetings"] is JsonArray { Count: 0 })
        {
            dataLeft.Remove("group_only_greetings");
        }
        var rootLeft = isV1
            ? JsonFields.Without(root, CardFields.Modelled)
            : JsonFields.Without(root, ["spec", "spec_version", "data", .. CardFields.V1]);
        // A root copy of a data field is not kept as it was: its name is, and the export writes it from the current
        // value (SillyTavern reads data and ignores a stale root copy, readFromV2).
        var mirrored = new JsonArray();
        foreach (var (key, path) in CardFields.Mirrors)
        {
            if (!isV1 && rootLeft.ContainsKey(key) && CardFields.At(data, path) is not null)
            {
                rootLeft.Remove(key);
                mirrored.Add(key);
            }
        }
        if (dataLeft.Count == 0 && rootLeft.Count == 0 && mirrored.Count == 0)
        {
            return;
        }
        var leftovers = new JsonObject();
        if (dataLeft.Count > 0)
        {
            leftovers["data"] = dataLeft;
        }
        if (rootLeft.Count > 0)
        {
            leftovers["root"] = rootLeft;
        }
        if (mirrored.Count > 0)
        {
            leftovers[CardFields.Mirrored] = mirrored;
        }
        if (extensions[CardFields.Namespace] is not JsonObject ours)
        {
            extensions[CardFields.Namespace] = ours = [];
        }
        ours[CardFields.Leftovers] = leftovers;
    }

    /// <summary>V3 says a newer <c>spec_version</c> should still be read, with a warning (§5).</summary>
    private static void WarnAboutVersion(JsonObject root, string spec, List<string> warnings)
    {
        var text = root["spec_version"]?.ToString();
        var known = spec == CardFields.V3 ? 3.0 : 2.0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var version) && version > known)
        {
            warnings.Add(
                $"The card says spec_version {text}, newer than the {known:0.0} we know; fields added "
                    + "since were kept as they are."
            );
        }
    }
}
