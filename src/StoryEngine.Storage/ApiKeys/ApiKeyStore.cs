using Dapper;
using StoryEngine.Core.ApiKeys;

namespace StoryEngine.Storage.ApiKeys;

public sealed class ApiKeyStore(IStorageProvider provider) : IApiKeyStore
{
    private const string Columns =
        "k.id AS Id, k.user_id AS UserId, k.public_id AS PublicId, k.name AS Name, "
        + "k.key_hash AS KeyHash, k.scopes AS Scopes, "
        + "k.created_at AS CreatedAt, k.expires_at AS ExpiresAt, k.last_used_at AS LastUsedAt, k.revoked_at AS "
        + "RevokedAt";

    public async Task InsertAsync(ApiKey key, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO api_keys (id, user_id, public_id, name, key_hash, scopes, created_at, expires_at, "
                    + "last_used_at, revoked_at) "
                    + "VALUES (@Id, @UserId, @PublicId, @Name, @KeyHash, @Scopes, @CreatedAt, @ExpiresAt, NULL, NULL)",
                new
                {
                    key.Id,
                    key.UserId,
                    key.PublicId,
                    key.Name,
                    key.KeyHash,
                    Scopes = string.Join(',', key.Scopes),
                    CreatedAt = key.CreatedAt.ToUnixTimeMilliseconds(),
                    ExpiresAt = key.ExpiresAt?.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<ApiKeyState?> FindByPublicIdAsync(string publicId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StateRow>(
            new CommandDefinition(
                $"SELECT {Columns}, u.username AS Username, u.disabled_at AS DisabledAt, u.is_admin AS IsAdmin "
                    + "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.public_id = @PublicId",
                new { PublicId = publicId },
                cancellationToken: cancellationToken
            )
        );
        return row is null ? null : new ApiKeyState(row.ToKey(), row.Username, At(row.DisabledAt), row.IsAdmin != 0);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM api_keys k WHERE k.user_id = @UserId AND k.revoked_at IS NULL ORDER BY k.id "
                    + "DESC",
                new { UserId = userId },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToKey()).ToArray();
    }

    public async Task<bool> RevokeAsync(
        string userId,
        string id,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND user_id = @UserId AND revoked_at IS NULL",
                    new
                    {
                        Id = id,
                        UserId = userId,
                        Now = now.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task TouchAsync(
        string id,
        DateTimeOffset now,
        DateTimeOffset notBefore,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE api_keys SET last_used_at = @Now WHERE id = @Id AND (last_used_at IS NULL OR last_used_at <= "
                    + "@NotBefore)",
                new
                {
                    Id = id,
                    Now = now.ToUnixTimeMilliseconds(),
                    NotBefore = notBefore.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    private static DateTimeOffset? At(long? milliseconds) =>
        milliseconds is { } m ? DateTimeOffset.FromUnixTimeMilliseconds(m) : null;

    private class Row
    {
        public string Id { get; init; } = "";
        public string UserId { get; init; } = "";
        public string PublicId { get; init; } = "";
        public string Name { get; init; } = "";
        public string KeyHash { get; init; } = "";
        public string Scopes { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? ExpiresAt { get; init; }
        public long? LastUsedAt { get; init; }
        public long? RevokedAt { get; init; }

        public ApiKey ToKey() =>
            new(
                Id,
                UserId,
                PublicId,
                Name,
                KeyHash,
                Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries),
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                At(ExpiresAt),
                At(LastUsedAt),
                At(RevokedAt)
            );
    }

    private sealed class StateRow : Row
    {
        public string Username { get; init; } = "";
        public long? DisabledAt { get; init; }
        public long IsAdmin { get; init; }
    }
}
