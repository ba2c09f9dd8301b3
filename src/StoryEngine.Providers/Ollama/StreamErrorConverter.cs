using System.Text.Json;
using System.Text.Json.Serialization;
using OllamaSharp.Models.Chat;
using OllamaSharp.Models.Exceptions;

namespace StoryEngine.Providers.Ollama;

/// <summary>
/// Ollama reports failures that happen after the 200 header (the model runner crashed, say) as an
/// <c>{"error": "…"}</c> line inside the stream. OllamaSharp 5.5.2 reads such a line as an empty chat chunk and the
/// stream just ends, losing the reason; this converter, added to its incoming JSON options, throws
/// <see cref="ResponseError"/> with Ollama's words instead, as OllamaSharp does for its other streams.
/// </summary>
internal sealed class StreamErrorConverter(JsonSerializerOptions withoutThis) : JsonConverter<ChatResponseStream>
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(ChatResponseStream);

    public override ChatResponseStream? Read(
        ref Utf8JsonReader reader,
        Type typeToConvert,
        JsonSerializerOptions options
    )
    {
        using var line = JsonDocument.ParseValue(ref reader);
        if (
            line.RootElement.ValueKind == JsonValueKind.Object
            && line.RootElement.TryGetProperty("error", out var error)
            && error.ValueKind == JsonValueKind.String
        )
        {
            throw new ResponseError(error.GetString() ?? "");
        }
        return line.RootElement.Deserialize<ChatResponseStream>(withoutThis);
    }

    public override void Write(Utf8JsonWriter writer, ChatResponseStream value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, withoutThis);
}
