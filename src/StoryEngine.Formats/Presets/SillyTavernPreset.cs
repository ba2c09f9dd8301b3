using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Generation;
using StoryEngine.Core.Presets;
using StoryEngine.Formats.Json;

namespace StoryEngine.Formats.Presets;

/// <summary>
/// Reads a SillyTavern preset file: a text-completion preset (<c>TextGen Settings/*.json</c>: temp, rep_pen,
/// min_p, ...) or a chat-completion preset (<c>OpenAI Settings/*.json</c>: temperature, frequency_penalty,
/// openai_max_tokens, ...). What we support becomes the generation settings; every other field is kept in
/// <see cref="Preset.Extras"/> as it was.
/// </summary>
public static class SillyTavernPreset
{
    public const string InvalidCode = "invalid_preset";

    private static readonly JsonFields Fields = new(message => new InvalidFileException(InvalidCode, message));

    // Our setting, then SillyTavern's names for it, in both preset kinds (and Kobold's/NovelAI's where they differ).
    private static readonly (string Setting, string[] Keys)[] Map =
    [
        ("temperature", ["temp", "temperature"]),
        ("topP", ["top_p"]),
        ("topK", ["top_k"]),
        ("minP", ["min_p"]),
        ("frequencyPenalty", ["freq_pen", "frequency_penalty"]),
        ("presencePenalty", ["presence_pen", "presence_penalty"]),
        ("repetitionPenalty", ["rep_pen", "repetition_penalty"]),
        ("maxTokens", ["genamt", "openai_max_tokens", "max_tokens", "max_length"]),
        ("seed", ["seed"]),
        ("stop", ["stopping_strings", "custom_stopping_strings", "stop"]),
    ];

    public static Preset Read(ReadOnlySpan<byte> utf8, string name)
    {
        var root = Fields.ParseObject(utf8, "The preset");
        var used = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (setting, keys) in Map)
        {
            foreach (var key in keys)
            {
                if (root[key] is { } value && !values.ContainsKey(setting) && Usable(setting, value))
                {
                    values[setting] = value;
                    used.Add(key);
                }
            }
        }
        var generation = new GenerationSettings
        {
            Temperature = Number(values, "temperature"),
            TopP = Number(values, "topP"),
            TopK = (int?)Number(values, "topK"),
            MinP = Number(values, "minP"),
            FrequencyPenalty = Number(values, "frequencyPenalty"),
            PresencePenalty = Number(values, "presencePenalty"),
            RepetitionPenalty = Number(values, "repetitionPenalty"),
            MaxTokens = (int?)Number(values, "maxTokens"),
            Seed = (long?)Number(values, "seed"),
            Stop = values.TryGetValue("stop", out var stop) ? Strings(stop) : null,
        };
        var extras = root.Where(p => !used.Contains(p.Key))
            .ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value), StringComparer.Ordinal);
        // Chat-completion presets carry their prompts and OpenAI-only fields; text-completion ones do not.
        var chat =
            root.ContainsKey("openai_max_tokens")
            || root.ContainsKey("prompts")
            || root.ContainsKey("chat_completion_source");
        return new Preset
        {
            Name = name,
            Generation = generation,
            Source = chat ? "sillytavern-chat" : "sillytavern-textgen",
            Extras = extras,
        };
    }

    // SillyTavern writes -1 for a random seed and an empty list or "" for no stop strings: those are not settings.
    private static bool Usable(string setting, JsonNode value) =>
        setting switch
        {
            "seed" => value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() >= 0,
            // top_k 0 is "off" in SillyTavern and in every backend that has top-k.
            "topK" => value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() > 0,
            "stop" => Strings(value) is { Count: > 0 },
            _ => value.GetValueKind() == JsonValueKind.Number,
        };

    private static double? Number(Dictionary<string, JsonNode> values, string setting) =>
        values.TryGetValue(setting, out var v) ? v.GetValue<double>() : null;

    /// <summary>A list of strings, or a JSON-encoded list in a string (custom_stopping_strings).</summary>
    private static List<string>? Strings(JsonNode value)
    {
        if (value is JsonValue text && text.TryGetValue<string>(out var s))
        {
            if (s.Trim().StartsWith('['))
            {
                try
                {
                    return JsonNode.Parse(s) is JsonArray parsed ? Strings(parsed) : null;
                }
                catch (JsonException)
                {
                    return null;
                }
            }
            return s.Length > 0 ? [s] : null;
        }
        return value is JsonArray array
            ? array
                .OfType<JsonValue>()
                .Select(v => v.TryGetValue<string>(out var item) ? item : null)
                .OfType<string>()
                .Where(item => item.Length > 0)
                .ToList()
            : null;
    }
}
