using System.Text.Json.Nodes;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Json;

namespace StoryEngine.Formats.Lore;

/// <summary>
/// A card's <c>character_book</c> (V2) or lorebook (V3), the <c>data</c> of a <c>lorebook_v3</c> file
/// (../shared/specs/character-cards.md §4). Settings SillyTavern keeps in an entry's <c>extensions</c> (snake_case,
/// §6) are read into the fields we model and written back there; everything else stays in <c>extensions</c>.
/// </summary>
public static class CardBookFormat
{
    private static readonly string[] BookFields =
    [
        "name",
        "description",
        "scan_depth",
        "token_budget",
        "recursive_scanning",
        "extensions",
        "entries",
    ];

    private static readonly string[] EntryFields =
    [
        "id",
        "keys",
        "secondary_keys",
        "comment",
        "content",
        "constant",
        "selective",
        "insertion_order",
        "enabled",
        "position",
        "extensions",
        "name",
        "priority",
        "case_sensitive",
        "use_regex",
        "whole_words_only",
        "key_logic",
    ];

    /// <summary>SillyTavern's entry settings inside <c>extensions</c> that map to our fields.</summary>
    private static readonly string[] ModelledExtensions =
    [
        "selectiveLogic",
        "probability",
        "scan_depth",
        "case_sensitive",
        "match_whole_words",
        "sticky",
        "cooldown",
        "delay",
        "exclude_recursion",
        "prevent_recursion",
        "delay_until_recursion",
        "whole_words_only",
        "key_logic",
        "vectorized",
    ];

    public static Lorebook Read(JsonObject book, string at, string fallbackName, JsonFields json)
    {
        var extensions = json.Object(book, "extensions", at)?.DeepClone().AsObject() ?? [];
        KeepUnknown(book, BookFields, extensions);
        var entries = book["entries"] switch
        {
            null => [],
            JsonArray array => array,
            _ => throw json.Invalid($"{JsonFields.Path(at, "entries")} must be a list."),
        };
        var read = new List<(LoreEntry, int?)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entryAt = $"{JsonFields.Path(at, "entries")}[{i}]";
            read.Add(
                ReadEntry(
                    entries[i] as JsonObject ?? throw json.Invalid($"{entryAt} must be a JSON object."),
                    entryAt,
                    json
                )
            );
        }
        var name = json.Text(book, "name", at);
        return new Lorebook
        {
            Name = string.IsNullOrWhiteSpace(name) ? fallbackName : name,
            Description = json.Text(book, "description", at),
            ScanDepth = json.Int(book, "scan_depth", at),
            TokenBudget = json.Int(book, "token_budget", at),
            RecursiveScanning = json.Bool(book, "recursive_scanning", at),
            Entries = EntryIds.Assign(read),
            Extensions = extensions,
        };
    }

    public static JsonObject Write(Lorebook book)
    {
        var written = new JsonObject { ["name"] = book.Name };
        if (book.Description.Length > 0)
        {
            written["description"] = book.Description;
        }
        JsonOut.SetIfAny(written, "scan_depth", book.ScanDepth);
        JsonOut.SetIfAny(written, "token_budget", book.TokenBudget);
        JsonOut.SetIfAny(written, "recursive_scanning", book.RecursiveScanning);
        written["extensions"] = book.Extensions.DeepClone();
        written["entries"] = new JsonArray(book.Entries.Select(e => (JsonNode)WriteEntry(e)).ToArray());
        return written;
    }

    private static (LoreEntry, int?) ReadEntry(JsonObject entry, string at, JsonFields json)
    {
        var extensions = json.Object(entry, "extensions", at)?.DeepClone().AsObject() ?? [];
        var ext = JsonFields.Path(at, "extensions");
        var read = new LoreEntry
        {
            Name = json.Text(entry, "name", at),
            Comment = json.Text(entry, "comment", at),
            Content = json.Text(entry, "content", at),
            Keys = json.TextList(entry, "keys", at, commaSeparated: true),
            SecondaryKeys = json.TextList(entry, "secondary_keys", at, commaSeparated: true),
            // The spec says secondary keys count only when selective is true; absent is not true.
            Selective = json.Bool(entry, "selective", at) ?? false,
            SelectiveLogic = json.Int(extensions, "selectiveLogic", ext) is { } logic
                ? SillyTavernFields.Logic(logic, $"{ext}.selectiveLogic", json)
                : SillyTavernFields.KeyLogic(entry, at, json)
                    ?? SillyTavernFields.KeyLogic(extensions, ext, json)
                    ?? SelectiveLogic.AndAny,
            Constant = json.Bool(entry, "constant", at) ?? false,
            Enabled = json.Bool(entry, "enabled", at) ?? true,
            CaseSensitive = json.Bool(entry, "case_sensitive", at) ?? json.Bool(extensions, "case_sensitive", ext),
            // chub writes whole_words_only, at the entry's top level or in its extensions.
            MatchWholeWords = json.Bool(extensions, "match_whole_words", ext)
                ?? json.Bool(entry, "whole_words_only", at)
                ?? json.Bool(extensions, "whole_words_only", ext),
            Probability = json.Int(extensions, "probability", ext) ?? 100,
            InsertionOrder = json.Int(entry, "insertion_order", at) ?? 100,
            Priority = json.Int(entry, "priority", at),
            ScanDepth = json.Int(extensions, "scan_depth", ext),
            Sticky = json.Int(extensions, "sticky", ext),
            Cooldown = json.Int(extensions, "cooldown", ext),
            Delay = json.Int(extensions, "delay", ext),
            ExcludeRecursion = json.Bool(extensions, "exclude_recursion", ext) ?? false,
            PreventRecursion = json.Bool(extensions, "prevent_recursion", ext) ?? false,
            DelayUntilRecursion = SillyTavernFields.RecursionDelay(
                extensions["delay_until_recursion"],
                $"{ext}.delay_until_recursion",
                json
            ),
            // SillyTavern's card export writes the World Info field under the same name in extensions.
            Vectorized = json.Bool(extensions, "vectorized", ext) ?? false,
        };
        foreach (var key in ModelledExtensions)
        {
            extensions.Remove(key);
        }
        // The card's before_char/after_char lives on as SillyTavern's number, which is richer (§6) and from which
        // the export derives it again; a card without that number gets the one SillyTavern would give it.
        if (json.OptionalText(entry, "position", at) is { } position && !extensions.ContainsKey("position"))
        {
            extensions["position"] = position == "after_char" ? 1 : 0;
        }
        // use_regex: false is the default the export writes anyway; true is kept to be written back (see LoreKeys).
        if (json.Bool(entry, "use_regex", at) is true)
        {
            extensions["use_regex"] = true;
        }
        KeepUnknown(entry, EntryFields, extensions);
        // V3 allows string ids; we need numbers, so a string id is kept and a new number given.
        int? id = null;
        switch (entry["id"])
        {
            case JsonValue v when v.TryGetValue<int>(out var number):
                id = number;
                break;
            case JsonNode other when !extensions.ContainsKey("id"):
                extensions["id"] = other.DeepClone();
                break;
        }
        return (read with { Extensions = extensions }, id);
    }

    private static JsonObject WriteEntry(LoreEntry e)
    {
        var extensions = e.Extensions.DeepClone().AsObject();
        var useRegex = extensions["use_regex"] is JsonValue flag && flag.TryGetValue<bool>(out var b) && b;
        extensions.Remove("use_regex");
        SillyTavernFields.WriteCardExtensions(e, extensions);

        var written = new JsonObject
        {
            ["id"] = e.Id,
            ["keys"] = Strings(e.Keys),
            ["secondary_keys"] = Strings(e.SecondaryKeys),
            ["comment"] = e.Comment,
            ["content"] = e.Content,
            ["constant"] = e.Constant,
            ["selective"] = e.Selective,
            ["insertion_order"] = e.InsertionOrder,
            ["enabled"] = e.Enabled,
        };
        if (extensions["position"] is JsonValue p && p.TryGetValue<int>(out var position))
        {
            // SillyTavern's rule: 0 is before the character definitions, every other place counts as after (§6).
            written["position"] = position == 0 ? "before_char" : "after_char";
        }
        written["use_regex"] = useRegex;
        if (e.Name.Length > 0)
        {
            written["name"] = e.Name;
        }
        JsonOut.SetIfAny(written, "priority", e.Priority);
        JsonOut.SetIfAny(written, "case_sensitive", e.CaseSensitive);
        written["extensions"] = extensions;
        return written;
    }

    /// <summary>Fields a card carries that are not the spec's go into <c>extensions</c> by name, unless that name is
    /// taken.</summary>
    private static void KeepUnknown(JsonObject source, string[] known, JsonObject extensions)
    {
        foreach (var (key, value) in source)
        {
            if (!known.Contains(key, StringComparer.Ordinal) && !extensions.ContainsKey(key))
            {
                extensions[key] = value?.DeepClone();
            }
        }
    }

    internal static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
