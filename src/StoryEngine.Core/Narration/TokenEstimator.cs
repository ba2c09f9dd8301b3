using System.Collections.Concurrent;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Estimates tokens without a tokenizer (none restores here, ../shared/STACK.md): about four characters a token,
/// corrected per model by the prompt sizes backends actually report.
/// </summary>
public sealed class TokenEstimator
{
    private const double CharactersPerToken = 4.0;
    private readonly ConcurrentDictionary<string, double> _factor = new(StringComparer.Ordinal);

    public int Estimate(string text, string? model = null) =>
        (int)Math.Ceiling(text.Length / CharactersPerToken * Factor(model));

    public double Factor(string? model) => model is not null && _factor.TryGetValue(model, out var f) ? f : 1.0;

    /// <summary>Moves the model's factor a fifth of the way toward what the backend reported, so one odd reply cannot swing it.</summary>
    public void Calibrate(string? model, int estimatedTokens, long reportedTokens)
    {
        if (model is null || estimatedTokens <= 0 || reportedTokens <= 0)
        {
            return;
        }
        var observed = Math.Clamp(reportedTokens / (double)estimatedTokens * Factor(model), 0.25, 4.0);
        _factor.AddOrUpdate(model, observed, (_, current) => current + (observed - current) * 0.2);
    }
}
