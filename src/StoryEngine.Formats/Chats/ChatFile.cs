using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Chats;

/// <summary>
/// Reads a chat exported from SillyTavern: JSONL, a header line (<c>user_name</c>, <c>character_name</c>,
/// <c>create_date</c>, <c>chat_metadata</c>) then one message a line (<c>name</c>, <c>is_user</c>, <c>is_system</c>,
/// <c>mes</c>, <c>swipes</c>, <c>swipe_id</c>); or the older TavernAI JSON, an array of <c>"Name: text"</c> strings
/// (or of message objects). What is wrong with a file is said with its line (or array element), never guessed past.
/// </summary>
public static class ChatFile
{
    public const string SillyTavern = "sillytavern";
    public const string TavernAi = "tavernai";

    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Whether the bytes look like a chat (a JSON array, or a first line that is a chat header or a message).
    /// </summary>
    public static bool LooksLikeChat(ReadOnlySpan<byte> file)
    {
        var text = Encoding.UTF8.GetString(file.StartsWith("\uFEFF"u8) ? file[3..] : file).TrimStart();
        if (text.StartsWith('['))
        {
            return true;
        }
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        try
        {
            return JsonNode.Parse(end < 0 ? text : text[..end], documentOptions: ParseOptions) is JsonObject first
                && (IsHeader(first) || first.ContainsKey("mes"));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static ImportedChat Read(ReadOnlySpan<byte> file)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(
                file.StartsWith("\uFEFF"u8) ? file[3..] : file
            );
        }
        catch (DecoderFallbackException)
        {
            throw InvalidFileException.Chat(
                "The file is not UTF-8 text, so it is no chat: SillyTavern chats are JSONL."
            );
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            throw InvalidFileException.Chat("The file is empty.");
        }
        return text.TrimStart().StartsWith('[') ? ReadArray(text) : ReadLines(text);
    }

    private static ImportedChat ReadLines(string text)
    {
        var lines = text.Split('\n');
        var builder = new Builder(SillyTavern, "Line");
        var seenFirst = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var number = i + 1;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line, documentOptions: ParseOptions);
            }
            catch (JsonException e)
            {
                throw NotJson(text, number, seenFirst, e);
            }
            if (node is not JsonObject o)
            {
                throw InvalidFileException.Chat(
                    $"Line {number} is {Describe(node)}, not a JSON object: each line of a chat is one message.",
                    number
                );
            }
            if (!seenFirst && IsHeader(o) && !o.ContainsKey("mes"))
            {
                builder.Header(o, number);
            }
            else if (!o.ContainsKey("mes") && IsHeader(o))
            {
                throw InvalidFileException.Chat(
                    $"Line {number} is a chat header; only the first line may be one.",
                    number
                );
            }
            else if (!seenFirst && !o.ContainsKey("mes"))
            {
                throw InvalidFileException.Chat(
                    $"Line {number} is neither a chat header (user_name, character_name) nor a message (mes): "
                        + "this is not a "
                        + "SillyTavern chat.",
                    number
                );
            }
            else
            {
                builder.Message(o, number);
            }
            seenFirst = true;
        }
        return builder.Build();
    }

    private static ImportedChat ReadArray(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: ParseOptions);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var where = line is null ? "" : $" (line {line}, byte {e.BytePositionInLine + 1})";
            throw InvalidFileException.Chat($"The file is not valid JSON{where}.", line);
        }
        var items = root!.AsArray();
        var builder = new Builder(TavernAi, "Element");
        var speaker = (string?)null;
        for (var i = 0; i < items.Count; i++)
        {
            var number = i + 1;
            switch (items[i])
            {
                case JsonObject o when i == 0 && IsHeader(o) && !o.ContainsKey("mes"):
                    builder.Header(o, number);
                    break;
                case JsonObject o:
                    builder.Message(o, number);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    // "Name: text". The chat opens with the character's greeting, so the first name is the character's.
                    var colon = s.IndexOf(": ", StringComparison.Ordinal);
                    var name =
                        colon > 0 && colon <= 100 && !s[..colon].Contains('\n', StringComparison.Ordinal)
                            ? s[..colon]
                            : "";
                    speaker ??= name;
                    var body = (name.Length > 0 ? s[(colon + 2)..] : s).TrimEnd('\n', '\r');
                    builder.Add(number, name, name.Length > 0 && name != speaker, [body], 0);
                    break;
                default:
                    throw InvalidFileException.Chat(
                        $"Element {number} is {Describe(items[i])}; a TavernAI chat holds \"Name: text\" strings.",
                        number
                    );
            }
        }
        builder.CharacterName ??= speaker is { Length: > 0 } ? speaker : null;
        return builder.Build();
    }

    private static InvalidFileException NotJson(string text, int number, bool seenFirst, JsonException e)
    {
        if (!seenFirst)
        {
            // A pretty-printed JSON object (a card, a lorebook) fails on its first line; say what it is instead.
            try
            {
                if (JsonNode.Parse(text, documentOptions: ParseOptions) is JsonObject)
                {
                    return InvalidFileException.Chat(
                        $"Line {number} starts a JSON object that is the whole file, not a chat: a SillyTavern chat "
                            + "has one JSON object per line (a header, then the messages). "
                            + "Character cards and lorebooks have their own imports.",
                        number
                    );
                }
            }
            catch (JsonException)
            {
                // Not JSON as a whole either: the line's own error below says where.
            }
        }
        var where = e.BytePositionInLine is { } b ? $" (byte {b + 1})" : "";
        return InvalidFileException.Chat($"Line {number} is not valid JSON{where}.", number);
    }

    private static bool IsHeader(JsonObject o) =>
        o.ContainsKey("user_name") || o.ContainsKey("character_name") || o.ContainsKey("chat_metadata");

    private static string Describe(JsonNode? node) =>
        node switch
        {
            null => "null",
            JsonArray => "an array",
            JsonObject => "an object",
            JsonValue v when v.TryGetValue<string>(out _) => "text",
            JsonValue v when v.TryGetValue<bool>(out _) => "true or false",
            _ => "a number",
        };

    /// <summary>Collects messages in order, checking each against the import's limits as it comes.</summary>
    private sealed class Builder(string format, string unit)
    {
        private readonly List<ImportedMessage> _messages = [];
        private int _skipped;
        private string? _userName;
        private DateTimeOffset? _createdAt;

        public string? CharacterName { get; set; }

        public void Header(JsonObject o, int number)
        {
            _userName = OptionalText(o, "user_name", number);
            CharacterName = OptionalText(o, "character_name", number);
            _createdAt = Date(o["create_date"]);
        }

        public void Message(JsonObject o, int number)
        {
            var text =
                o["mes"] is JsonValue m && m.TryGetValue<string>(out var t)
                    ? t
                    : throw InvalidFileException.Chat(
                        o.ContainsKey("mes")
                            ? $"{unit} {number}: 'mes' (the message's text) must be text."
                            : $"{unit} {number} has no 'mes' (the message's text).",
                        number
                    );
            var isUser = Flag(o, "is_user", number);
            if (Flag(o, "is_system", number))
            {
                // SillyTavern marks hidden messages (and its own notices) is_system: they never reached the model.
                _skipped++;
                return;
            }
            var name = OptionalText(o, "name", number) ?? "";
            var alternatives = new List<string>();
            if (o["swipes"] is JsonArray swipes && !isUser)
            {
                for (var i = 0; i < swipes.Count; i++)
                {
                    alternatives.Add(
                        swipes[i] is JsonValue v && v.TryGetValue<string>(out var s)
                            ? s
                            : throw InvalidFileException.Chat($"{unit} {number}: swipes[{i}] must be text.", number)
                    );
                }
            }
            else if (o["swipes"] is not (null or JsonArray))
            {
                throw InvalidFileException.Chat($"{unit} {number}: 'swipes' must be a list of texts.", number);
            }
            var chosen = o["swipe_id"] switch
            {
                null => 0,
                JsonValue v when v.TryGetValue<int>(out var id) => id,
                JsonValue v
                    when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= 0 and < int.MaxValue =>
                    (int)d,
                _ => throw InvalidFileException.Chat($"{unit} {number}: 'swipe_id' must be a whole number.", number),
            };
            // The shown text is mes; swipes[swipe_id] is normally the same text. When the two disagree (an edit) or
            // swipe_id points outside the swipes, mes wins and no swipe is lost.
            if (chosen >= 0 && chosen < alternatives.Count)
            {
                alternatives[chosen] = text;
            }
            else if (alternatives.Count == 0)
            {
                (alternatives, chosen) = ([text], 0);
            }
            else
            {
                alternatives.Add(text);
                chosen = alternatives.Count - 1;
            }
            Add(number, name, isUser, alternatives, chosen);
        }

        public void Add(int number, string name, bool isUser, IReadOnlyList<string> alternatives, int chosen)
        {
            if (_messages.Count == ImportedChat.MaxMessages)
            {
                throw new ChatTooLongException(
                    $"The chat has more than {ImportedChat.MaxMessages} messages "
                        + $"({unit.ToLowerInvariant()} {number} is one "
                        + "too many); an import takes at most that. Split the chat, or import its newest part."
                );
            }
            if (alternatives.FirstOrDefault(a => a.Length > ImportedChat.MaxMessageCharacters) is { } tooLong)
            {
                throw new ChatTooLongException(
                    $"{unit} {number} has a message of {tooLong.Length} characters; a message may have at most "
                        + $"{ImportedChat.MaxMessageCharacters}."
                );
            }
            _messages.Add(new ImportedMessage(number, name, isUser, alternatives, chosen));
        }

        public ImportedChat Build()
        {
            if (_messages.Count == 0)
            {
                throw InvalidFileException.Chat(
                    _skipped > 0
                        ? $"The chat has no messages to import: all {_skipped} are hidden system messages."
                        : "The chat has no messages, only its header."
                );
            }
            return new ImportedChat(format, _userName, CharacterName, _createdAt, _messages, _skipped);
        }

        private bool Flag(JsonObject o, string name, int number) =>
            o[name] switch
            {
                null => false,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                _ => throw InvalidFileException.Chat($"{unit} {number}: '{name}' must be true or false.", number),
            };

        private string? OptionalText(JsonObject o, string name, int number) =>
            o[name] switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => throw InvalidFileException.Chat($"{unit} {number}: '{name}' must be text.", number),
            };

        // SillyTavern wrote create_date as Unix milliseconds in old chats and as text ("2024-5-1 @12h 30m 5s 123ms")
        // later.
        private static DateTimeOffset? Date(JsonNode? value) =>
            value switch
            {
                JsonValue v when v.TryGetValue<long>(out var ms) && ms is > 0 and < 253_402_300_800_000 =>
                    DateTimeOffset.FromUnixTimeMilliseconds(ms),
                JsonValue v
                    when v.TryGetValue<string>(out var s)
                        && DateTimeOffset.TryParse(
                            s,
                            CultureInfo.InvariantCulture,
                            DateTimeStyles.AssumeUniversal,
                            out var at
                        ) => at,
                _ => null,
            };
    }
}
