namespace StoryEngine.Core.Usage;

/// <summary>A model's price in the operator's currency per million tokens (<c>Prices:{model}:PromptPerMillion</c>,
/// <c>CompletionPerMillion</c>).</summary>
public sealed record ModelPrice(string Model, decimal PromptPerMillion, decimal CompletionPerMillion);

/// <summary>
/// Prices by model name (compared case-insensitively); a model without a price costs 0. Costs are millionths of a
/// currency unit, so a price per million tokens times tokens is exact for prices with up to six decimals.
/// </summary>
public sealed class PriceList(IEnumerable<ModelPrice> prices)
{
    private readonly Dictionary<string, ModelPrice> _prices = prices.ToDictionary(
        p => p.Model,
        StringComparer.OrdinalIgnoreCase
    );

    public IReadOnlyCollection<ModelPrice> All => _prices.Values;

    public long CostMicros(string? model, long promptTokens, long completionTokens) =>
        model is not null && _prices.TryGetValue(model, out var price)
            ? (long)
                Math.Round(
                    promptTokens * price.PromptPerMillion + completionTokens * price.CompletionPerMillion,
                    MidpointRounding.AwayFromZero
                )
            : 0;
}
