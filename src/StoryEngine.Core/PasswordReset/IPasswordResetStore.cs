namespace StoryEngine.Core.PasswordReset;

/// <summary>One-time reset tokens (kept as SHA-256 hashes) and the account addresses they are mailed to.</summary>
public interface IPasswordResetStore
{
    Task InsertTokenAsync(
        string tokenHash,
        string userId,
        DateTimeOffset createdAt,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken
    );

    /// <summary>The user a token belongs to while it is unused and unexpired; null otherwise.</summary>
    Task<string?> FindUsableAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Spends the token; false when it was spent (or expired) in the meantime.</summary>
    Task<bool> TryUseAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The account with this address (compared case-insensitively), or null.</summary>
    Task<string?> FindUserIdByEmailAsync(string email, CancellationToken cancellationToken);

    Task<string?> GetEmailAsync(string userId, CancellationToken cancellationToken);

    Task SetEmailAsync(string userId, string? email, CancellationToken cancellationToken);
}
