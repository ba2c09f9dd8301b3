using Dapper;
using StoryEngine.Core.PasswordReset;

namespace StoryEngine.Storage.PasswordReset;

public sealed class PasswordResetStore(IStorageProvider provider) : IPasswordResetStore
{
    public async Task InsertTokenAsync(
        string tokenHash,
        string userId,
        DateTimeOffset createdAt,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at, used_at) VALUES "
                    + "(@Hash, @UserId, @CreatedAt, @ExpiresAt, NULL)",
                new
                {
                    Hash = tokenHash,
                    UserId = userId,
                    CreatedAt = createdAt.ToUnixTimeMilliseconds(),
                    ExpiresAt = expiresAt.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        // Spent and lapsed tokens mean nothing; dropping the user's old ones here keeps the table small without a job.
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM password_reset_tokens WHERE user_id = @UserId AND (used_at IS NOT NULL OR expires_at < "
                    + "@Now)",
                new { UserId = userId, Now = createdAt.ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<string?> FindUsableAsync(
        string tokenHash,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            new CommandDefinition(
                "SELECT user_id FROM password_reset_tokens WHERE token_hash = @Hash AND used_at IS NULL AND expires_at "
                    + "> @Now",
                new { Hash = tokenHash, Now = now.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<bool> TryUseAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE password_reset_tokens SET used_at = @Now WHERE token_hash = @Hash AND used_at IS NULL AND "
                        + "expires_at > @Now",
                    new { Hash = tokenHash, Now = now.ToUnixTimeMilliseconds() },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<string?> FindUserIdByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<string?>(
            new CommandDefinition(
                "SELECT id FROM users WHERE email = @Email ORDER BY id LIMIT " + "1",
                new { Email = email.ToLowerInvariant() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<string?> GetEmailAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            new CommandDefinition(
                "SELECT email FROM users WHERE id = @Id",
                new { Id = userId },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task SetEmailAsync(string userId, string? email, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        // Stored lower-cased: addresses are matched case-insensitively, and the domain part is case-insensitive anyway.
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE users SET email = @Email WHERE id = " + "@Id",
                new { Id = userId, Email = email?.ToLowerInvariant() },
                cancellationToken: cancellationToken
            )
        );
    }
}
