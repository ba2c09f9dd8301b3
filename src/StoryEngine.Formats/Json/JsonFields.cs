using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Json;

/// <summary>
/// Reads fields of foreign JSON leniently where real files differ (a missing field is its default, a single string
/// where a list belongs is a one-item list) and strictly where a value cannot mean anything (a number where text
/// belongs): then the error names the field by its path in the file, e.g. <c>data.character_book.entries[3].keys</c>.
/// </summary>
public sealed class JsonFields(Func<string, InvalidFileException> invalid)
{
    // Duplicate keys are refused at parse time: otherwise a JsonObject would fail later, on first access, far from
    // here.
    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    public InvalidFileException Invalid(string message) => invalid(message);

    /// <summary>Parses UTF-8 JSON (a byte order mark is skipped); what it is not, it says with the line and
    /// byte.</summary>
    public JsonNode Parse(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        try
        {
            return JsonNode.Parse(utf8, documentOptions: ParseOptions)
                ?? throw invalid($"{what} is JSON null, not an object.");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw invalid($"{what} is not valid JSON{where}.");
        }
    }

    /// <summary>Parses UTF-8 JSON that must be an object, with invalid UTF-8 refused rather than replaced.</summary>
    public JsonObject ParseObject(ReadOnlySpan<byte> utf8, string what)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw invalid($"{what} is not UTF-8 text.");
        }
        return Parse(utf8, what) as JsonObject ?? throw invalid($"{what} must be a JSON object.");
    }

    public string Text(JsonObject o, string name, string at) =>
        o[name] switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw invalid($"{Path(at, name)} must be text."),
        };

    public string? OptionalText(JsonObject o, string name, string at) => o[name] is null ? null : Text(o, name, at);

    /// <summary>
    /// A list of text; a lone string is a one-item list, or with <paramref name="commaSeparated"/> a comma-separated
    /// list, as Risu and the V3 prose write keys (../shared/specs/character-cards.md §4).
    /// </summary>
    public IReadOnlyList<string> TextList(JsonObject o, string name, string at, bool commaSeparated = false)
    {
        switch (o[name])
        {
            case null:
                return [];
            case JsonValue v when v.TryGetValue<string>(out var s):
                return commaSeparated
                    ? s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : [s];
            case JsonArray array:
                var list = new List<string>(array.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    switch (array[i])
                    {
                        case null:
                            continue;
                        case JsonValue item when item.TryGetValue<string>(out var text):
                            list.Add(text);
                            break;
                        case JsonValue item when item.GetValueKind() is JsonValueKind.Number:
                            list.Add(item.ToJsonString()); // a bare number as a key ("1984") is still a key
                            break;
                        default:
                            throw invalid($"{Path(at, name)}[{i}] must be text.");
                    }
                }
                return list;
            default:
                throw invalid($"{Path(at, name)} must be a list of text.");
        }
    }

    public bool? Bool(JsonObject o, string name, string at) =>
        o[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw invalid($"{Path(at, name)} must be true or false."),
        };

    /// <summary>A whole number; a fractional one is rounded (some editors write 100.0).</summary>
    public int? Int(JsonObject o, string name, string at) =>
        o[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<int>(out var i) => i,
            JsonValue v when v.TryGetValue<double>(out var d) && d is >= int.MinValue and <= int.MaxValue => (int)
                Math.Round(d),
            _ => throw invalid($"{Path(at, name)} must be a whole number."),
        };

    public JsonObject? Object(JsonObject o, string name, string at) =>
        o[name] switch
        {
            null => null,
            JsonObject obj => obj,
            _ => throw invalid($"{Path(at, name)} must be a JSON object."),
        };

    public static string Path(string at, string name) => at.Length == 0 ? name : $"{at}.{name}";

    /// <summary>A deep copy of <paramref name="source"/> without the named keys.</summary>
    public static JsonObject Without(JsonObject source, IEnumerable<string> names)
    {
        var skip = names.ToHashSet(StringComparer.Ordinal);
        var copy = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (!skip.Contains(key))
            {
                copy[key] = value?.DeepClone();
            }
        }
        return copy;
    }
}
