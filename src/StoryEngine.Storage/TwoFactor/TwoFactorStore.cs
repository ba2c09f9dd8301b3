using Dapper;
using StoryEngine.Core.TwoFactor;

namespace StoryEngine.Storage.TwoFactor;

public sealed class TwoFactorStore(IStorageProvider provider) : ITwoFactorStore
{
    public async Task<TwoFactorRecord?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                "SELECT user_id AS UserId, secret AS Secret, created_at AS CreatedAt, enabled_at AS EnabledAt, "
                    + "last_step AS LastStep FROM user_two_factor WHERE user_id = @UserId",
                new { UserId = userId },
                cancellationToken: cancellationToken
            )
        );
        return row is null
            ? null
            : new TwoFactorRecord(
                row.UserId,
                row.Secret,
                DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
                row.EnabledAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
                row.LastStep
            );
    }

    public async Task<bool> SavePendingAsync(
        string userId,
        string sealedSecret,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        // An enabled row is left alone: the WHERE of the upsert makes it a no-op, so 0 rows means "already on".
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "INSERT INTO user_two_factor (user_id, secret, created_at, enabled_at, last_step) VALUES (@UserId, "
                        + "@Secret, @Now, NULL, -1) "
                        + "ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = "
                        + "excluded.created_at, "
                        + "last_step = -1 "
                        + "WHERE user_two_factor.enabled_at IS NULL",
                    new
                    {
                        UserId = userId,
                        Secret = sealedSecret,
                        Now = now.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<bool> EnableAsync(
        string userId,
        long step,
        IReadOnlyList<string> recoveryCodeHashes,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE user_two_factor SET enabled_at = @Now, last_step = @Step WHERE user_id = @UserId AND "
                    + "enabled_at "
                    + "IS NULL",
                new
                {
                    UserId = userId,
                    Step = step,
                    Now = now.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        if (changed != 1)
        {
            return false;
        }
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_recovery_codes WHERE user_id = " + "@UserId",
                new { UserId = userId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        foreach (var hash in recoveryCodeHashes)
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    "INSERT INTO user_recovery_codes (user_id, code_hash, used_at) VALUES (@UserId, @Hash, NULL)",
                    new { UserId = userId, Hash = hash },
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> TryUseStepAsync(string userId, long step, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        // One statement: two requests racing with the same code cannot both pass.
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE user_two_factor SET last_step = @Step WHERE user_id = @UserId AND enabled_at IS NOT "
                        + "NULL AND "
                        + "last_step < @Step",
                    new { UserId = userId, Step = step },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<bool> TryUseRecoveryCodeAsync(
        string userId,
        string codeHash,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE user_recovery_codes SET used_at = @Now WHERE user_id = @UserId AND code_hash = @Hash AND "
                        + "used_at IS NULL",
                    new
                    {
                        UserId = userId,
                        Hash = codeHash,
                        Now = now.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<int> CountRecoveryCodesLeftAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return (int)
            await connection.ExecuteScalarAsync<long>(
                new CommandDefinition(
                    "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = @UserId AND used_at IS " + "NULL",
                    new { UserId = userId },
                    cancellationToken: cancellationToken
                )
            );
    }

    public async Task DeleteAsync(string userId, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_recovery_codes WHERE user_id = " + "@UserId",
                new { UserId = userId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_two_factor WHERE user_id = " + "@UserId",
                new { UserId = userId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed class Row
    {
        public string UserId { get; init; } = "";
        public string Secret { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? EnabledAt { get; init; }
        public long LastStep { get; init; }
    }
}
