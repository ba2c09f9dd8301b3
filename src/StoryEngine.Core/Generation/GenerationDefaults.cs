namespace StoryEngine.Core.Generation;

/// <summary>
/// The server's generation defaults, <c>Narrator:Generation:{Setting}</c> (docs/configuration.md): the layer under
/// every world's and adventure's settings. Unset keys leave the backend's own default.
/// </summary>
public sealed class GenerationDefaults
{
    public const string Section = "Narrator:Generation";

    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? TopK { get; set; }
    public double? MinP { get; set; }
    public double? FrequencyPenalty { get; set; }
    public double? PresencePenalty { get; set; }
    public double? RepetitionPenalty { get; set; }
    public int? MaxTokens { get; set; }
    public List<string> Stop { get; set; } = [];
    public long? Seed { get; set; }

    public GenerationSettings ToSettings() =>
        new()
        {
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            MinP = MinP,
            FrequencyPenalty = FrequencyPenalty,
            PresencePenalty = PresencePenalty,
            RepetitionPenalty = RepetitionPenalty,
            MaxTokens = MaxTokens,
            Stop = Stop.Count > 0 ? Stop : null,
            Seed = Seed,
        };
}
