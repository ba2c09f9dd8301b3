using System.Collections.Concurrent;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Estimates tokens without a tokenizer (none restores here, ../shared/STACK.md): about four characters a token,
/// corrected per model by the prompt sizes backends actually report.
/// </summary>
/// <remarks>
/// Lifetime: one per node, a singleton registered by <c>AddNarrator</c>; its calibration lives in this process's
/// memory and starts again at 1.0 on restart. That is enough with several nodes (issue 14): the factor measures a
/// model's tokenizer against English-like text, not anything about the traffic, so every node converges to the same
/// value from its own replies within a few turns, and until then an estimate is off by the few percent a budget
/// already leaves room for. Nothing that must agree between nodes (quotas, usage) reads it: usage records the
/// counts backends report, and an estimate only where a backend reports none.
/// </remarks>
public sealed class TokenEstimator
{
    private const double CharactersPerToken = 4.0;
    private readonly ConcurrentDictionary<string, double> _factor = new(StringComparer.Ordinal);

    public int Estimate(string text, string? model = null) =>
        (int)Math.Ceiling(text.Length / CharactersPerToken * Factor(model));

    public double Factor(string? model) => model is not null && _factor.TryGetValue(model, out var f) ? f : 1.0;

    /// <summary>Moves the model's factor a fifth of the way toward what the backend reported, so one odd reply cannot
    /// swing it.</summary>
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
