using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Usage;

/// <summary>An admin (over the API) or the operator (CLI, <c>actorId</c> null) puts a user on a tier or gives them
/// quotas of their own. Audited.</summary>
public sealed class TierAdministration(IUserStore users, TierCatalog tiers, TierDirectory directory, AuditTrail audit)
{
    /// <summary>Largest quota accepted: far beyond any real use, small enough that sums stay exact.</summary>
    public const long MaxQuota = 1_000_000_000_000;

    public async Task<User> SetTierAsync(
        string? actorId,
        string userId,
        string? tier,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(tier) || !tiers.Exists(tier))
        {
            throw ValidationFailedException.For(
                "tier",
                "tier must be one of: "
                    + $"{string.Join(", ", tiers.All.Select(t => t.Name).Order(StringComparer.Ordinal))}."
            );
        }
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        var name = tiers.CanonicalName(tier);
        var before = tiers.Resolve(user.Tier).Name;
        if (user.Tier == name)
        {
            return user;
        }
        await users.SetTierAsync(userId, name, cancellationToken);
        directory.Forget(userId);
        await audit.RecordAsync(
            AuditActions.TierChanged,
            origin,
            cancellationToken,
            userId: userId,
            actorId: actorId,
            username: user.Username,
            detail: $"{before}->{name}"
        );
        return user with { Tier = name };
    }

    /// <summary>Sets the user's own token quotas; null for either means "the tier's".</summary>
    public async Task<User> SetQuotaAsync(
        string? actorId,
        string userId,
        long? dailyTokens,
        long? monthlyTokens,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        foreach (var (field, value) in new[] { ("dailyTokens", dailyTokens), ("monthlyTokens", monthlyTokens) })
        {
            if (value is < 0 or > MaxQuota)
            {
                errors.Add(field, $"{field} must be between 0 and {MaxQuota}, or null for the tier's quota.");
            }
        }
        errors.ThrowIfAny();
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        if (user.DailyTokenQuota == dailyTokens && user.MonthlyTokenQuota == monthlyTokens)
        {
            return user;
        }
        await users.SetTokenQuotaAsync(userId, dailyTokens, monthlyTokens, cancellationToken);
        await audit.RecordAsync(
            AuditActions.QuotaChanged,
            origin,
            cancellationToken,
            userId: userId,
            actorId: actorId,
            username: user.Username,
            detail: $"daily={Show(user.DailyTokenQuota)}->{Show(dailyTokens)} "
                + $"monthly={Show(user.MonthlyTokenQuota)}->{Show(monthlyTokens)}"
        );
        return user with { DailyTokenQuota = dailyTokens, MonthlyTokenQuota = monthlyTokens };
    }

    private static string Show(long? quota) =>
        quota?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "tier";
}
