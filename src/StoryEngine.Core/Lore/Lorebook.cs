using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Lore;

/// <summary>
/// A lorebook: a world's (SillyTavern "World Info") or a character's (a card's <c>character_book</c>). Book-level
/// settings follow the card spec (../shared/specs/character-cards.md §4); null leaves a setting to the engine.
/// </summary>
public sealed record Lorebook : IResourceBody<Lorebook>
{
    public static string Kind => "lorebook";

    public const int MaxEntries = 10_000;
    public const int MaxKeys = 200;
    public const int MaxKeyLength = 1_000;
    public const int MaxTurns = 10_000;

    public required string Name { get; init; }
    public string Description { get; init; } = "";

    /// <summary>How many recent turns are scanned for keys.</summary>
    public int? ScanDepth { get; init; }

    /// <summary>Tokens the book's entries may take together; the lowest-priority entries are dropped beyond
    /// it.</summary>
    public int? TokenBudget { get; init; }

    /// <summary>Whether activated entries' content can activate further entries. False must disable recursion
    /// (V3).</summary>
    public bool? RecursiveScanning { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<LoreEntry> Entries { get; init; } = [];

    /// <summary>Book fields of the source format not modelled here (a card book's <c>extensions</c>, World Info's
    /// <c>folders</c>).</summary>
    public JsonObject Extensions { get; init; } = [];

    string IResourceBody<Lorebook>.SearchText => SearchText.Of(Name, Description);

    /// <summary>The next free entry id: one more than the highest in use.</summary>
    [JsonIgnore]
    public int NextEntryId => Entries.Count == 0 ? 0 : Entries.Max(e => e.Id) + 1;

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        Range(errors, "scanDepth", ScanDepth, 0, 1_000);
        Range(errors, "tokenBudget", TokenBudget, 0, 10_000_000);
        if (Entries.Count > MaxEntries)
        {
            errors.Add("entries", $"A lorebook may hold at most {MaxEntries} entries (got {Entries.Count}).");
            return;
        }
        var seen = new Dictionary<int, int>();
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (!seen.TryAdd(entry.Id, i))
            {
                errors.Add(
                    $"entries[{i}].id",
                    $"{entry.Label}: id {entry.Id} is already used by "
                        + $"entries[{seen[entry.Id]}]; ids must be unique in a book."
                );
            }
            ValidateEntry(errors, $"entries[{i}]", entry);
        }
    }

    private static void ValidateEntry(FieldErrors errors, string at, LoreEntry entry)
    {
        if (entry.Id < 0)
        {
            errors.Add($"{at}.id", $"{entry.Label}: id must be 0 or more.");
        }
        errors.MaxLength($"{at}.name", entry.Name, Limits.Name);
        errors.MaxLength($"{at}.comment", entry.Comment, Limits.LongText);
        errors.MaxLength($"{at}.content", entry.Content, Limits.LongText);
        Keys(errors, $"{at}.keys", entry, entry.Keys);
        Keys(errors, $"{at}.secondaryKeys", entry, entry.SecondaryKeys);
        Range(errors, $"{at}.probability", entry.Probability, 0, 100);
        Range(errors, $"{at}.scanDepth", entry.ScanDepth, 0, 1_000);
        Range(errors, $"{at}.sticky", entry.Sticky, 0, MaxTurns);
        Range(errors, $"{at}.cooldown", entry.Cooldown, 0, MaxTurns);
        Range(errors, $"{at}.delay", entry.Delay, 0, MaxTurns);
        Range(errors, $"{at}.delayUntilRecursion", entry.DelayUntilRecursion, 0, 100);
    }

    private static void Keys(FieldErrors errors, string field, LoreEntry entry, IReadOnlyList<string> keys)
    {
        if (keys.Count > MaxKeys)
        {
            errors.Add(field, $"{entry.Label}: at most {MaxKeys} keys (got {keys.Count}).");
            return;
        }
        for (var k = 0; k < keys.Count; k++)
        {
            if (keys[k] is { Length: > MaxKeyLength })
            {
                errors.Add($"{field}[{k}]", $"{entry.Label}: a key may be at most {MaxKeyLength} characters.");
            }
            else if (LoreKeys.Problem(keys[k] ?? "") is { } problem)
            {
                errors.Add($"{field}[{k}]", $"{entry.Label}: key {problem}");
            }
        }
    }

    private static void Range(FieldErrors errors, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(field, $"{field} must be between {min} and {max} (got {v}).");
        }
    }
}
