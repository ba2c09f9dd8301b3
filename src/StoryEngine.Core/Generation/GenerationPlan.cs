using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Generation;

/// <summary>A setting a backend of the narrator's chain cannot take, so it is not sent to that backend.</summary>
public sealed record UnsupportedSetting(string Backend, string Setting);

/// <summary>
/// What the context inspector shows of the generation settings: the values sent, which layer each came from
/// (server, world, adventure) and what a backend of the chain could not take (never silently dropped).
/// </summary>
public sealed record GenerationReport(
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Sources,
    IReadOnlyList<UnsupportedSetting> Unsupported
);

/// <summary>
/// The settings of one narration: the adventure's over the world's over the server's, field by field (ADR 0034),
/// and the <see cref="ChatOptions"/> they become. Settings that <see cref="ChatOptions"/> has no property for travel
/// in <see cref="ChatOptions.AdditionalProperties"/> under the keys below; each backend adapter moves them into its
/// own wire format or leaves them out and says so.
/// </summary>
public sealed record GenerationPlan(GenerationSettings Effective, IReadOnlyDictionary<string, string> Sources)
{
    /// <summary>min-p sampling. The providers read the same key (their GenerationSupport.MinPKey).</summary>
    public const string MinPKey = "min_p";

    /// <summary>Multiplicative repetition penalty (llama.cpp, vLLM, KoboldCpp; Ollama's repeat_penalty).</summary>
    public const string RepetitionPenaltyKey = "repetition_penalty";

    public static GenerationPlan Merge(
        GenerationSettings? server,
        GenerationSettings? world,
        GenerationSettings? adventure
    )
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (layer, settings) in new[] { ("server", server), ("world", world), ("adventure", adventure) })
        {
            foreach (var name in settings?.Values().Keys ?? [])
            {
                sources[name] = layer; // later layers are more specific and overwrite
            }
        }
        var effective = (adventure ?? GenerationSettings.None).Over((world ?? GenerationSettings.None).Over(server));
        return new GenerationPlan(effective, sources);
    }

    /// <summary>The options for the model call; <paramref name="replyTokens"/> caps the reply when maxTokens is not
    /// set (and is what the prompt budget already reserved).</summary>
    public ChatOptions ToChatOptions(int replyTokens)
    {
        var s = Effective;
        var options = new ChatOptions
        {
            MaxOutputTokens = s.MaxTokens ?? replyTokens,
            Temperature = (float?)s.Temperature,
            TopP = (float?)s.TopP,
            TopK = s.TopK,
            FrequencyPenalty = (float?)s.FrequencyPenalty,
            PresencePenalty = (float?)s.PresencePenalty,
            StopSequences = s.Stop is { Count: > 0 } stop ? [.. stop] : null,
            Seed = s.Seed,
        };
        if (s.MinP is { } minP)
        {
            (options.AdditionalProperties ??= [])[MinPKey] = minP;
        }
        if (s.RepetitionPenalty is { } repetition)
        {
            (options.AdditionalProperties ??= [])[RepetitionPenaltyKey] = repetition;
        }
        return options;
    }

    public GenerationReport Report(IReadOnlyList<UnsupportedSetting> unsupported) =>
        new(Effective.Values(), Sources, unsupported);
}
