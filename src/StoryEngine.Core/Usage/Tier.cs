namespace StoryEngine.Core.Usage;

/// <summary>
/// A tier of service (<c>Tiers:{name}:...</c>). Null limits mean "no limit" for quotas and "the RateLimits default"
/// for rates.
/// </summary>
public sealed record Tier(
    string Name,
    long? DailyTokens,
    long? MonthlyTokens,
    int? ApiPerMinute,
    int? GenerationPerMinute,
    int? BedtimePerMinute = null
);

/// <summary>
/// The configured tiers and which one a user without one is on (<c>Usage:DefaultTier</c>, default
/// <see cref="Standard"/>). The default tier exists even when nothing configures it: no quotas, default rates.
/// </summary>
public sealed class TierCatalog
{
    public const string Standard = "standard";

    private readonly Dictionary<string, Tier> _tiers;

    public TierCatalog(IEnumerable<Tier> tiers, string defaultTier = Standard)
    {
        _tiers = tiers.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        DefaultName = defaultTier;
        if (!_tiers.ContainsKey(defaultTier))
        {
            _tiers[defaultTier] = new Tier(defaultTier, null, null, null, null);
        }
        Default = _tiers[defaultTier];
    }

    public string DefaultName { get; }

    public Tier Default { get; }

    public IReadOnlyCollection<Tier> All => _tiers.Values;

    /// <summary>The named tier; an unknown or null name (a tier removed from configuration) is the default
    /// tier.</summary>
    public Tier Resolve(string? name) => name is not null && _tiers.TryGetValue(name, out var tier) ? tier : Default;

    public bool Exists(string name) => _tiers.ContainsKey(name);

    /// <summary>The name as configured (tier names compare case-insensitively).</summary>
    public string CanonicalName(string name) => _tiers.TryGetValue(name, out var tier) ? tier.Name : name;
}
