using System.Globalization;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Generation;

/// <summary>
/// Sampling settings for the narrator's model call. Every field is optional: null means "not set here", so the
/// server's defaults, a world's and an adventure's can be layered field by field (<see cref="Over"/>; ADR 0034).
/// </summary>
public sealed record GenerationSettings
{
    public static readonly GenerationSettings None = new();

    /// <summary>Most stop sequences a setting may hold; OpenAI takes at most 4, local servers many more.</summary>
    public const int MaxStop = 16;

    public const int MaxStopLength = 200;

    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public double? FrequencyPenalty { get; init; }
    public double? PresencePenalty { get; init; }
    public double? RepetitionPenalty { get; init; }
    public int? MaxTokens { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public long? Seed { get; init; }

    /// <summary>The API names of every setting, in the order they are documented and reported.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "temperature",
        "topP",
        "topK",
        "minP",
        "frequencyPenalty",
        "presencePenalty",
        "repetitionPenalty",
        "maxTokens",
        "stop",
        "seed",
    ];

    /// <summary>These settings where set, the <paramref name="fallback"/>'s elsewhere: the more specific layer wins
    /// field by field.</summary>
    public GenerationSettings Over(GenerationSettings? fallback) =>
        fallback is null
            ? this
            : new()
            {
                Temperature = Temperature ?? fallback.Temperature,
                TopP = TopP ?? fallback.TopP,
                TopK = TopK ?? fallback.TopK,
                MinP = MinP ?? fallback.MinP,
                FrequencyPenalty = FrequencyPenalty ?? fallback.FrequencyPenalty,
                PresencePenalty = PresencePenalty ?? fallback.PresencePenalty,
                RepetitionPenalty = RepetitionPenalty ?? fallback.RepetitionPenalty,
                MaxTokens = MaxTokens ?? fallback.MaxTokens,
                Stop = Stop ?? fallback.Stop,
                Seed = Seed ?? fallback.Seed,
            };

    /// <summary>The value of each setting that is set, by API name, as the inspector shows it.</summary>
    public IReadOnlyDictionary<string, string> Values()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Put(string name, object? value)
        {
            if (value is not null)
            {
                values[name] = value is IReadOnlyList<string> list
                    ? string.Join(", ", list.Select(s => $"\"{s}\""))
                    : Convert.ToString(value, CultureInfo.InvariantCulture)!;
            }
        }
        Put("temperature", Temperature);
        Put("topP", TopP);
        Put("topK", TopK);
        Put("minP", MinP);
        Put("frequencyPenalty", FrequencyPenalty);
        Put("presencePenalty", PresencePenalty);
        Put("repetitionPenalty", RepetitionPenalty);
        Put("maxTokens", MaxTokens);
        Put("stop", Stop);
        Put("seed", Seed);
        return values;
    }

    public bool IsEmpty => Values().Count == 0;

    /// <summary>Checks the ranges every backend we speak to accepts; <paramref name="prefix"/> names the field in
    /// problems ("generation." gives "generation.temperature").</summary>
    public void Validate(string prefix, FieldErrors errors)
    {
        Range(errors, prefix + "temperature", Temperature, 0, 5);
        Range(errors, prefix + "topP", TopP, 0, 1);
        Range(errors, prefix + "topK", TopK, 0, 1000);
        Range(errors, prefix + "minP", MinP, 0, 1);
        Range(errors, prefix + "frequencyPenalty", FrequencyPenalty, -2, 2);
        Range(errors, prefix + "presencePenalty", PresencePenalty, -2, 2);
        Range(errors, prefix + "repetitionPenalty", RepetitionPenalty, 0, 5);
        Range(errors, prefix + "maxTokens", MaxTokens, 1, 65_536);
        if (Stop is { } stop)
        {
            errors.List(prefix + "stop", stop, MaxStop, MaxStopLength);
        }
    }

    private static void Range(FieldErrors errors, string field, double? value, double min, double max)
    {
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
        {
            errors.Add(field, $"{field} must be between {min} and {max} (got {v}).");
        }
    }

    private static void Range(FieldErrors errors, string field, long? value, long min, long max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(field, $"{field} must be between {min} and {max} (got {v}).");
        }
    }
}
