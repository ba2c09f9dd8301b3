using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Accounts;

public interface IUserStore
{
    Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken);

    Task<User?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>False when the username is taken (compared case-insensitively).</summary>
    Task<bool> TryInsertAsync(User user, CancellationToken cancellationToken);

    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Accounts in creation order; <see cref="ListQuery.Text"/> matches part of the username.</summary>
    Task<Page<User>> ListAsync(ListQuery query, CancellationToken cancellationToken);

    /// <summary>Sets or clears <see cref="User.DisabledAt"/>; false when no such user exists.</summary>
    Task<bool> SetDisabledAsync(string id, DateTimeOffset? disabledAt, CancellationToken cancellationToken);

    Task<bool> SetAdminAsync(string id, bool isAdmin, CancellationToken cancellationToken);

    /// <summary>Sets the user's tier (null: the default tier); false when no such user exists.</summary>
    Task<bool> SetTierAsync(string id, string? tier, CancellationToken cancellationToken);

    /// <summary>Sets or clears (null) the user's own daily and monthly token quotas; false when no such user
    /// exists.</summary>
    Task<bool> SetTokenQuotaAsync(
        string id,
        long? dailyTokens,
        long? monthlyTokens,
        CancellationToken cancellationToken
    );

    Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken cancellationToken);
}
