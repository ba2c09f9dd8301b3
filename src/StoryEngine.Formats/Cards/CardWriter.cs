using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Lore;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// Writes a character as a V3 card (and the V2 copy PNGs carry for older readers), putting back every field the
/// import kept under <c>extensions.storyengine.card</c> where it came from, so a card survives a round trip.
/// </summary>
public static class CardWriter
{
    public static JsonObject V3(Character c, Lorebook? book)
    {
        var extensions = c.Extensions.DeepClone().AsObject();
        var (dataLeft, rootLeft, mirrored) = TakeLeftovers(extensions);
        PutOwnFields(c, extensions);

        var data = new JsonObject
        {
            ["name"] = c.Name,
            ["description"] = c.Description,
            ["personality"] = c.Personality,
            ["scenario"] = c.Scenario,
            ["first_mes"] = c.FirstMessage,
            ["mes_example"] = c.ExampleMessages,
            ["creator_notes"] = c.CreatorNotes,
            ["system_prompt"] = c.SystemPrompt,
            ["post_history_instructions"] = c.PostHistoryInstructions,
            ["alternate_greetings"] = CardBookFormat.Strings(c.AlternateGreetings),
            ["tags"] = CardBookFormat.Strings(c.Tags),
            ["creator"] = c.Creator,
            ["character_version"] = c.CharacterVersion,
            ["extensions"] = extensions,
            ["group_only_greetings"] = new JsonArray(), // required in V3 (§5); a kept list replaces it below
        };
        if (book is not null)
        {
            data["character_book"] = CardBookFormat.Write(book);
        }
        Merge(data, dataLeft);
        var root = new JsonObject
        {
            ["spec"] = CardFields.V3,
            ["spec_version"] = "3.0",
            ["data"] = data,
        };
        Merge(root, rootLeft);
        foreach (var key in mirrored)
        {
            // In step with the character as it is now; a copy of a field the export no longer writes is dropped.
            if (CardFields.Mirrors.TryGetValue(key, out var path) && CardFields.At(data, path) is { } value)
            {
                root[key] = value.DeepClone();
            }
        }
        return root;
    }

    /// <summary>
    /// The V2 card a PNG carries in its <c>chara</c> chunk next to <c>ccv3</c>, with the V1 fields copied to the top
    /// level for V1 readers, as SillyTavern writes it. V3-only fields stay in <c>data</c>; V2 readers ignore them.
    /// </summary>
    public static JsonObject V2(Character c, Lorebook? book)
    {
        var card = V3(c, book);
        card["spec"] = CardFields.V2;
        card["spec_version"] = "2.0";
        var data = card["data"]!.AsObject();
        foreach (var field in CardFields.V1)
        {
            card[field] = data[field]!.DeepClone();
        }
        return card;
    }

    private static (JsonObject? Data, JsonObject? Root, string[] Mirrored) TakeLeftovers(JsonObject extensions)
    {
        if (extensions[CardFields.Namespace] is not JsonObject ours)
        {
            return (null, null, []);
        }
        var leftovers = ours[CardFields.Leftovers] as JsonObject;
        ours.Remove(CardFields.Leftovers);
        if (ours.Count == 0)
        {
            extensions.Remove(CardFields.Namespace);
        }
        var mirrored = leftovers?[CardFields.Mirrored] is JsonArray names
            ? names
                .Select(n => n is JsonValue v && v.TryGetValue<string>(out var name) ? name : null)
                .OfType<string>()
                .ToArray()
            : [];
        return (leftovers?["data"] as JsonObject, leftovers?["root"] as JsonObject, mirrored);
    }

    private static void PutOwnFields(Character c, JsonObject extensions)
    {
        var own = new[] { ("appearance", c.Appearance), ("speechStyle", c.SpeechStyle), ("goals", c.Goals) }
            .Where(f => f.Item2.Length > 0)
            .ToArray();
        if (own.Length == 0)
        {
            return;
        }
        if (extensions[CardFields.Namespace] is not JsonObject ours)
        {
            extensions[CardFields.Namespace] = ours = [];
        }
        foreach (var (field, value) in own)
        {
            ours[field] = value;
        }
    }

    /// <summary>Kept fields go back in, except where a modelled field of the same name was written (it is the current
    /// value).</summary>
    private static void Merge(JsonObject target, JsonObject? kept)
    {
        foreach (var (key, value) in kept ?? [])
        {
            if (key == "group_only_greetings" || !target.ContainsKey(key))
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
