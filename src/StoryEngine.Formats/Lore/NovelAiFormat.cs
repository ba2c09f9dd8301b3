using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Json;

namespace StoryEngine.Formats.Lore;

/// <summary>
/// NovelAI <c>.lorebook</c> files: <c>{lorebookVersion, entries: [{text, displayName, keys, enabled,
/// forceActivation, contextConfig, searchRange, ...}], settings, categories}</c>. Keys use the same
/// <c>/pattern/flags</c> regex form as ours; plain keys match ignoring case. <c>contextConfig.budgetPriority</c>
/// (higher
/// is kept first) is our priority. NovelAI has no secondary keys, probability or timed effects, so an export to it
/// carries only what it can hold; NovelAI's own fields survive a NovelAI → us → NovelAI round trip in
/// <c>extensions</c>.
/// </summary>
public static class NovelAiFormat
{
    public const int Version = 6;
    private static readonly string[] EntryFields = ["text", "displayName", "keys", "enabled", "forceActivation"];

    /// <summary>
    /// What an export writes for entries that did not come from NovelAI. On import, a field equal to its default here
    /// is not kept, so a book reads the same after a NovelAI export as before it.
    /// </summary>
    private static readonly JsonObject Defaults = new()
    {
        ["contextConfig"] = new JsonObject
        {
            ["prefix"] = "",
            ["suffix"] = "\n",
            ["tokenBudget"] = 1,
            ["reservedTokens"] = 0,
            ["trimDirection"] = "trimBottom",
            ["insertionType"] = "newline",
            ["maximumTrimType"] = "sentence",
            ["insertionPosition"] = -1,
        },
        ["searchRange"] = 1000,
        ["keyRelative"] = false,
        ["nonStoryActivatable"] = false,
    };

    /// <summary>
    /// A NovelAI book has <c>lorebookVersion</c> and an entries list. A World Info export of a NovelAI book keeps the
    /// version among its book fields but has an entries object; it is World Info (issue 17: it was refused).
    /// </summary>
    public static bool Matches(JsonObject root) =>
        root.ContainsKey("lorebookVersion") && root["entries"] is not JsonObject;

    public static Lorebook Read(JsonObject root, string fallbackName, JsonFields json)
    {
        var entries = root["entries"] as JsonArray ?? throw json.Invalid("A NovelAI lorebook needs an entries list.");
        var extensions = JsonFields.Without(root, ["entries", "name"]);
        var read = new List<(LoreEntry, int?)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var at = $"entries[{i}]";
            var entry = entries[i] as JsonObject ?? throw json.Invalid($"{at} must be a JSON object.");
            var entryExtensions = JsonFields.Without(entry, EntryFields);
            int? priority = null;
            if (json.Object(entry, "contextConfig", at) is { } config)
            {
                priority = json.Int(config, "budgetPriority", $"{at}.contextConfig");
                entryExtensions["contextConfig"] = JsonFields.Without(config, ["budgetPriority"]);
            }
            foreach (var (key, value) in Defaults)
            {
                if (JsonNode.DeepEquals(entryExtensions[key], value))
                {
                    entryExtensions.Remove(key);
                }
            }
            read.Add(
                (
                    new LoreEntry
                    {
                        Name = json.Text(entry, "displayName", at),
                        Content = json.Text(entry, "text", at),
                        Keys = json.TextList(entry, "keys", at, commaSeparated: true),
                        Selective = false,
                        Enabled = json.Bool(entry, "enabled", at) ?? true,
                        Constant = json.Bool(entry, "forceActivation", at) ?? false,
                        CaseSensitive = false,
                        Priority = priority,
                        Extensions = entryExtensions,
                    },
                    null
                )
            );
        }
        var name = json.Text(root, "name", "");
        return new Lorebook
        {
            Name = string.IsNullOrWhiteSpace(name) ? fallbackName : name,
            Entries = EntryIds.Assign(read),
            Extensions = extensions,
        };
    }

    public static JsonObject Write(Lorebook book)
    {
        var root = new JsonObject
        {
            ["lorebookVersion"] = Version,
            ["entries"] = new JsonArray(book.Entries.Select(e => (JsonNode)WriteEntry(book, e)).ToArray()),
            ["settings"] = new JsonObject { ["orderByKeyLocations"] = false },
            ["categories"] = new JsonArray(),
        };
        foreach (var (key, value) in book.Extensions)
        {
            root[key] = value?.DeepClone(); // a NovelAI book's own version, settings and categories win
        }
        root["name"] = book.Name;
        return root;
    }

    private static JsonObject WriteEntry(Lorebook book, LoreEntry e)
    {
        var written = new JsonObject
        {
            ["text"] = e.Content,
            ["displayName"] = e.Name.Length > 0 ? e.Name : e.Comment,
            ["id"] = StableId(book.Name, e.Id),
            ["keys"] = CardBookFormat.Strings(e.Keys),
            ["enabled"] = e.Enabled,
            ["forceActivation"] = e.Constant,
        };
        foreach (var (key, value) in Defaults)
        {
            written[key] = value!.DeepClone();
        }
        foreach (var (key, value) in e.Extensions)
        {
            if (!EntryFields.Contains(key, StringComparer.Ordinal) && (key != "contextConfig" || value is JsonObject))
            {
                written[key] = value?.DeepClone();
            }
        }
        if (e.Priority is { } priority)
        {
            // Without it NovelAI uses its own default (400); writing that would invent a priority the book never had.
            written["contextConfig"]!.AsObject()["budgetPriority"] = priority;
        }
        return written;
    }

    /// <summary>NovelAI ids are UUIDs; deriving them from the book and entry keeps repeated exports
    /// identical.</summary>
    private static string StableId(string book, int entry) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{book}\n{entry}")).AsSpan(0, 16)).ToString();
}
