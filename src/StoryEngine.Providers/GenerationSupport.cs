using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers;

/// <summary>
/// Which generation settings each kind of backend can take, and the keys under which the two settings that
/// <see cref="ChatOptions"/> has no property for (min-p, repetition penalty) travel in
/// <see cref="ChatOptions.AdditionalProperties"/>. The core's GenerationPlan writes the same keys. A setting a
/// backend cannot take is removed before the request is made, and the narrator lists it in the context inspector.
/// </summary>
public static class GenerationSupport
{
    public const string MinPKey = "min_p";
    public const string RepetitionPenaltyKey = "repetition_penalty";

    // api.openai.com refuses unknown body fields; OpenAI has no top-k, min-p or multiplicative repetition penalty.
    private static readonly string[] OpenAIUnsupported = ["topK", "minP", "repetitionPenalty"];

    // The Messages API has temperature, top_p, top_k, max_tokens and stop_sequences only.
    private static readonly string[] AnthropicUnsupported =
    [
        "minP",
        "frequencyPenalty",
        "presencePenalty",
        "repetitionPenalty",
        "seed",
    ];

    /// <summary>The API names (GenerationSettings.Names) of the settings <paramref name="backend"/> cannot
    /// take.</summary>
    public static IReadOnlyList<string> Unsupported(BackendOptions backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.Kind switch
        {
            BackendKinds.Anthropic => AnthropicUnsupported,
            BackendKinds.OpenAI when IsOpenAI(backend.BaseUrl) => OpenAIUnsupported,
            _ => [],
        };
    }

    internal static bool IsOpenAI(string baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
        && uri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>A copy of <paramref name="options"/> without the settings named in <paramref name="unsupported"/>;
    /// the same instance when none of them is set.</summary>
    internal static ChatOptions? Without(ChatOptions? options, IReadOnlyList<string> unsupported)
    {
        if (options is null || unsupported.Count == 0)
        {
            return options;
        }
        var copy = options.Clone();
        foreach (var name in unsupported)
        {
            switch (name)
            {
                case "topK":
                    copy.TopK = null;
                    break;
                case "frequencyPenalty":
                    copy.FrequencyPenalty = null;
                    break;
                case "presencePenalty":
                    copy.PresencePenalty = null;
                    break;
                case "seed":
                    copy.Seed = null;
                    break;
                case "minP":
                    copy.AdditionalProperties?.Remove(MinPKey);
                    break;
                case "repetitionPenalty":
                    copy.AdditionalProperties?.Remove(RepetitionPenaltyKey);
                    break;
            }
        }
        return copy;
    }

    /// <summary>Takes a setting out of <see cref="ChatOptions.AdditionalProperties"/> (so the library does not
    /// also send it under our neutral key) and returns its value.</summary>
    internal static T? Take<T>(ChatOptions options, string key)
        where T : struct
    {
        if (options.AdditionalProperties?.TryGetValue(key, out var value) != true || value is null)
        {
            return null;
        }
        options.AdditionalProperties.Remove(key);
        return value switch
        {
            T typed => typed,
            IConvertible convertible => (T)
                convertible.ToType(typeof(T), System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}
