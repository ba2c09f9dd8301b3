using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StoryEngine.Server.Http;

/// <summary>
/// Free-form JSON the API accepts (merge patches, a card's extensions) arrives as a <see cref="JsonNode"/>, which
/// System.Text.Json builds lazily: a duplicate key or an unpaired surrogate only throws later, as an
/// ArgumentException or InvalidOperationException deep in a handler, and the client got a 500 (issue 15, fault 4).
/// This converter checks the whole value while it is read, so the failure is a <see cref="JsonException"/> with the
/// reader's position and becomes a <c>400 malformed_json</c> like any other syntax error.
/// </summary>
public sealed class StrictJsonNodeConverterFactory : JsonConverterFactory
{
    /// <summary>Reads every request body's strings and free-form JSON strictly.</summary>
    public static void AddTo(JsonSerializerOptions options)
    {
        options.Converters.Add(new StrictJsonNodeConverterFactory());
        options.Converters.Add(new StrictStringConverter());
    }

    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert == typeof(JsonNode)
        || typeToConvert == typeof(JsonObject)
        || typeToConvert == typeof(JsonArray)
        || typeToConvert == typeof(JsonValue);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        typeToConvert == typeof(JsonObject) ? new Converter<JsonObject>()
        : typeToConvert == typeof(JsonArray) ? new Converter<JsonArray>()
        : typeToConvert == typeof(JsonValue) ? new Converter<JsonValue>()
        : new Converter<JsonNode>();

    private sealed class Converter<T> : JsonConverter<T>
        where T : JsonNode
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                CopyChecked(ref reader, writer);
            }
            var node = JsonNode.Parse(
                buffer.WrittenSpan,
                new JsonNodeOptions { PropertyNameCaseInsensitive = options.PropertyNameCaseInsensitive }
            );
            // No message: the serializer then says "could not be converted" with the path, which is a wrong type.
            return node as T ?? throw new JsonException();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            value.WriteTo(writer, options);
    }

    // Re-writes the value token by token; a problem found on the way is thrown while the reader is still on the
    // offending token, so the serializer stamps the exception with that token's line and byte.
    private static void CopyChecked(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        var depth = reader.CurrentDepth;
        var objects = new Stack<HashSet<string>>();
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    objects.Push(new HashSet<string>(StringComparer.Ordinal));
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    objects.Pop();
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    var name = ReadString(ref reader);
                    if (!objects.Peek().Add(name))
                    {
                        throw new MalformedJsonException($"the key \"{name}\" appears twice in one object");
                    }
                    writer.WritePropertyName(name);
                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(ReadString(ref reader));
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(
                        reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan,
                        skipInputValidation: true
                    );
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    writer.WriteBooleanValue(reader.GetBoolean());
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
            if (
                reader.CurrentDepth == depth
                && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)
            )
            {
                return;
            }
            reader.Read();
        }
    }

    internal static string ReadString(ref Utf8JsonReader reader)
    {
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The reader checks UTF-8 and escapes only when a string is materialised: "\ud800" alone lands here.
            throw new MalformedJsonException(MalformedJsonException.NotUnicode);
        }
        // Valid JSON, but PostgreSQL's text and jsonb cannot hold U+0000: refused here, or it was a 503 later.
        return value.Contains('\0', StringComparison.Ordinal)
            ? throw new MalformedJsonException("a string contains the NUL character (\\u0000)")
            : value;
    }
}

/// <summary>Strings a request body binds to get the checks of <see cref="StrictJsonNodeConverterFactory"/>.</summary>
public sealed class StrictStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? StrictJsonNodeConverterFactory.ReadString(ref reader)
            : throw new JsonException(); // no message: the serializer says "could not be converted", a wrong type

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    // Dictionary keys are strings too (a card's extensions, world state maps).
    public override string ReadAsPropertyName(
        ref Utf8JsonReader reader,
        Type typeToConvert,
        JsonSerializerOptions options
    ) => StrictJsonNodeConverterFactory.ReadString(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);
}

/// <summary>Well-formed JSON syntax that still cannot be taken as JSON; <see cref="Reason"/> says why.</summary>
public sealed class MalformedJsonException(
    string reason,
    string? path = null,
    long? lineNumber = null,
    long? bytePositionInLine = null
) : JsonException($"The JSON is malformed: {reason}.", path, lineNumber, bytePositionInLine)
{
    public const string NotUnicode = "a string is not valid Unicode (an unpaired surrogate or invalid UTF-8)";

    public string Reason { get; } = reason;
}
