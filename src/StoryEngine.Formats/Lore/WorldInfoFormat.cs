using System.Globalization;
using System.Text.Json.Nodes;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Json;

namespace StoryEngine.Formats.Lore;

/// <summary>
/// SillyTavern World Info files: <c>{"entries": {"&lt;uid&gt;": {...}}}</c>, current and legacy shapes, including the
/// TavernAI/KoboldAI sample with <c>folders</c> and per-entry <c>title</c> (../shared/specs/character-cards.md §6).
/// Missing fields take SillyTavern's defaults. Settings we do not model are kept under the card spelling
/// (<see cref="SillyTavernFields"/>), so a book reads the same whichever format it came in.
/// </summary>
public static class WorldInfoFormat
{
    private static readonly string[] EntryFields =
    [
        "uid",
        "key",
        "keysecondary",
        "comment",
        "content",
        "constant",
        "selective",
        "selectiveLogic",
        "order",
        "disable",
        "probability",
        "scanDepth",
        "caseSensitive",
        "matchWholeWords",
        "excludeRecursion",
        "preventRecursion",
        "delayUntilRecursion",
        "vectorized",
        "sticky",
        "cooldown",
        "delay",
        "name",
        "title",
    ];

    private static readonly string[] BookFields =
    [
        "entries",
        "name",
        "description",
        "scan_depth",
        "token_budget",
        "recursive_scanning",
    ];

    public static bool Matches(JsonObject root) => root["entries"] is JsonObject;

    public static Lorebook Read(JsonObject root, string fallbackName, JsonFields json)
    {
        var extensions = new JsonObject();
        foreach (var (key, value) in root)
        {
            if (!BookFields.Contains(key, StringComparer.Ordinal))
            {
                extensions[key] = value?.DeepClone(); // folders (KoboldAI), originalData (SillyTavern), ...
            }
        }
        var read = new List<(LoreEntry, int?)>();
        foreach (var (key, value) in root["entries"]!.AsObject())
        {
            var at = $"entries.{key}";
            var entry = value as JsonObject ?? throw json.Invalid($"{at} must be a JSON object.");
            var uid = json.Int(entry, "uid", at)
                ?? (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : null);
            read.Add((ReadEntry(entry, at, json), uid));
        }
        var name = json.Text(root, "name", "");
        return new Lorebook
        {
            Name = string.IsNullOrWhiteSpace(name) ? fallbackName : name,
            Description = json.Text(root, "description", ""),
            ScanDepth = json.Int(root, "scan_depth", ""),
            TokenBudget = json.Int(root, "token_budget", ""),
            RecursiveScanning = json.Bool(root, "recursive_scanning", ""),
            Entries = EntryIds.Assign(read),
            Extensions = extensions,
        };
    }

    public static JsonObject Write(Lorebook book)
    {
        var entries = new JsonObject();
        foreach (var e in book.Entries)
        {
            entries[e.Id.ToString(CultureInfo.InvariantCulture)] = WriteEntry(e);
        }
        var root = new JsonObject { ["entries"] = entries, ["name"] = book.Name };
        if (book.Description.Length > 0)
        {
            root["description"] = book.Description;
        }
        // Not SillyTavern's (it keeps these settings globally), but harmless to it and needed to come back whole.
        JsonOut.SetIfAny(root, "scan_depth", book.ScanDepth);
        JsonOut.SetIfAny(root, "token_budget", book.TokenBudget);
        JsonOut.SetIfAny(root, "recursive_scanning", book.RecursiveScanning);
        foreach (var (key, value) in book.Extensions)
        {
            if (!root.ContainsKey(key))
            {
                root[key] = value?.DeepClone();
            }
        }
        return root;
    }

    private static LoreEntry ReadEntry(JsonObject entry, string at, JsonFields json)
    {
        var extensions = new JsonObject();
        foreach (var (key, value) in entry)
        {
            if (!EntryFields.Contains(key, StringComparer.Ordinal))
            {
                extensions[SillyTavernFields.WorldToCard.GetValueOrDefault(key, key)] = value?.DeepClone();
            }
        }
        // KoboldAI's title is the entry's name; if a file has both, the title is kept as it was.
        var name = json.OptionalText(entry, "name", at);
        if (name is not null && entry["title"] is { } title)
        {
            extensions["title"] = title.DeepClone();
        }
        return new LoreEntry
        {
            Name = name ?? json.Text(entry, "title", at),
            Comment = json.Text(entry, "comment", at),
            Content = json.Text(entry, "content", at),
            Keys = json.TextList(entry, "key", at, commaSeparated: true),
            SecondaryKeys = json.TextList(entry, "keysecondary", at, commaSeparated: true),
            Selective = json.Bool(entry, "selective", at) ?? true,
            SelectiveLogic = SillyTavernFields.Logic(
                json.Int(entry, "selectiveLogic", at),
                $"{at}.selectiveLogic",
                json
            ),
            Constant = json.Bool(entry, "constant", at) ?? false,
            Enabled = !(json.Bool(entry, "disable", at) ?? false),
            CaseSensitive = json.Bool(entry, "caseSensitive", at),
            MatchWholeWords = json.Bool(entry, "matchWholeWords", at),
            Probability = json.Int(entry, "probability", at) ?? 100,
            InsertionOrder = json.Int(entry, "order", at) ?? 100,
            ScanDepth = json.Int(entry, "scanDepth", at),
            Sticky = json.Int(entry, "sticky", at),
            Cooldown = json.Int(entry, "cooldown", at),
            Delay = json.Int(entry, "delay", at),
            ExcludeRecursion = json.Bool(entry, "excludeRecursion", at) ?? false,
            PreventRecursion = json.Bool(entry, "preventRecursion", at) ?? false,
            DelayUntilRecursion = SillyTavernFields.RecursionDelay(
                entry["delayUntilRecursion"],
                $"{at}.delayUntilRecursion",
                json
            ),
            Vectorized = json.Bool(entry, "vectorized", at) ?? false,
            Extensions = extensions,
        };
    }

    private static JsonObject WriteEntry(LoreEntry e)
    {
        var written = new JsonObject
        {
            ["uid"] = e.Id,
            ["key"] = CardBookFormat.Strings(e.Keys),
            ["keysecondary"] = CardBookFormat.Strings(e.SecondaryKeys),
            ["comment"] = e.Comment,
            ["content"] = e.Content,
            ["constant"] = e.Constant,
            ["selective"] = e.Selective,
            ["selectiveLogic"] = (int)e.SelectiveLogic,
            ["order"] = e.InsertionOrder,
            ["disable"] = !e.Enabled,
            ["probability"] = e.Probability,
            ["scanDepth"] = e.ScanDepth,
            ["caseSensitive"] = e.CaseSensitive,
            ["matchWholeWords"] = e.MatchWholeWords,
            ["excludeRecursion"] = e.ExcludeRecursion,
            ["preventRecursion"] = e.PreventRecursion,
            ["delayUntilRecursion"] = SillyTavernFields.RecursionDelayValue(e.DelayUntilRecursion),
            ["sticky"] = e.Sticky,
            ["cooldown"] = e.Cooldown,
            ["delay"] = e.Delay,
            ["vectorized"] = e.Vectorized,
        };
        if (e.Name.Length > 0)
        {
            written["name"] = e.Name;
        }
        foreach (var (key, value) in e.Extensions)
        {
            var field = SillyTavernFields.CardToWorld.GetValueOrDefault(key, key);
            if (!written.ContainsKey(field))
            {
                written[field] = value?.DeepClone();
            }
        }
        return written;
    }
}
