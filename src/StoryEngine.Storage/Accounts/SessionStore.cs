using Dapper;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Storage.Accounts;

public sealed class SessionStore(IStorageProvider provider) : ISessionStore
{
    private const string Columns =
        "id AS Id, user_id AS UserId, refresh_token_hash AS RefreshTokenHash, created_at "
        + "AS CreatedAt, expires_at AS ExpiresAt, "
        + "revoked_at AS RevokedAt, last_used_at AS LastUsedAt, user_agent AS UserAgent, ip AS Ip";

    // Retired hashes older than a refresh token's whole lifetime belong to tokens that would have expired anyway.
    private static readonly TimeSpan KeepRetiredFor = AccountService.RefreshLifetime;

    public async Task InsertAsync(UserSession session, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO user_sessions (id, user_id, refresh_token_hash, created_at, expires_at, revoked_at, "
                    + "last_used_at, user_agent, ip) "
                    + "VALUES (@Id, @UserId, @RefreshTokenHash, @CreatedAt, @ExpiresAt, NULL, @LastUsedAt, "
                    + "@UserAgent, @Ip)",
                new
                {
                    session.Id,
                    session.UserId,
                    session.RefreshTokenHash,
                    CreatedAt = session.CreatedAt.ToUnixTimeMilliseconds(),
                    ExpiresAt = session.ExpiresAt.ToUnixTimeMilliseconds(),
                    LastUsedAt = (session.LastUsedAt ?? session.CreatedAt).ToUnixTimeMilliseconds(),
                    session.UserAgent,
                    session.Ip,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public Task<UserSession?> FindByRefreshTokenHashAsync(
        string refreshTokenHash,
        CancellationToken cancellationToken
    ) =>
        QueryOneAsync(
            $"SELECT {Columns} FROM user_sessions WHERE refresh_token_hash = " + "@Hash",
            new { Hash = refreshTokenHash },
            cancellationToken
        );

    public Task<UserSession?> FindByRetiredTokenHashAsync(
        string refreshTokenHash,
        CancellationToken cancellationToken
    ) =>
        QueryOneAsync(
            $"SELECT {Columns} FROM user_sessions WHERE id = (SELECT session_id FROM "
                + "user_session_retired_tokens WHERE token_hash = @Hash)",
            new { Hash = refreshTokenHash },
            cancellationToken
        );

    public async Task<bool> RotateAsync(
        string sessionId,
        string expectedHash,
        string newHash,
        DateTimeOffset now,
        DateTimeOffset newExpiry,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE user_sessions SET refresh_token_hash = @NewHash, expires_at = @ExpiresAt, last_used_at = @Now "
                    + "WHERE id = @Id AND refresh_token_hash = @ExpectedHash AND revoked_at IS NULL",
                new
                {
                    Id = sessionId,
                    ExpectedHash = expectedHash,
                    NewHash = newHash,
                    ExpiresAt = newExpiry.ToUnixTimeMilliseconds(),
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
                "INSERT INTO user_session_retired_tokens (token_hash, session_id, retired_at) VALUES (@Hash, @Id, "
                    + "@Now)",
                new
                {
                    Hash = expectedHash,
                    Id = sessionId,
                    Now = now.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        // Keeps the table bounded per session: a client refreshing every 15 minutes for a month leaves ~3,000 rows.
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_session_retired_tokens WHERE session_id = @Id AND retired_at < @Cutoff",
                new { Id = sessionId, Cutoff = (now - KeepRetiredFor).ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<SessionState?> GetStateAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StateRow>(
            new CommandDefinition(
                "SELECT s.id AS SessionId, s.user_id AS UserId, s.expires_at AS ExpiresAt, s.revoked_at AS RevokedAt, "
                    + "u.disabled_at AS DisabledAt, u.is_admin AS IsAdmin "
                    + "FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = @Id",
                new { Id = sessionId },
                cancellationToken: cancellationToken
            )
        );
        return row is null
            ? null
            : new SessionState(
                row.SessionId,
                row.UserId,
                At(row.ExpiresAt),
                At(row.RevokedAt),
                At(row.DisabledAt),
                row.IsAdmin != 0
            );
    }

    public async Task<IReadOnlyList<UserSession>> ListActiveAsync(
        string userId,
        DateTimeOffset now,
        int limit,
        string? beforeId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM user_sessions WHERE user_id = @UserId AND revoked_at IS NULL AND expires_at > "
                    + "@Now"
                    + (beforeId is null ? "" : " AND id < @BeforeId")
                    + " ORDER BY id DESC LIMIT @Take",
                new
                {
                    UserId = userId,
                    Now = now.ToUnixTimeMilliseconds(),
                    BeforeId = beforeId,
                    Take = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToSession()).ToArray();
    }

    public async Task<bool> RevokeAsync(
        string userId,
        string sessionId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE user_sessions SET revoked_at = @Now WHERE id = @Id AND user_id = @UserId AND revoked_at "
                        + "IS NULL "
                        + "AND expires_at > @Now",
                    new
                    {
                        Id = sessionId,
                        UserId = userId,
                        Now = now.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<int> RevokeAllAsync(
        string userId,
        string? exceptSessionId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE user_sessions SET revoked_at = @Now WHERE user_id = @UserId AND revoked_at IS NULL AND "
                    + "expires_at > @Now"
                    + (exceptSessionId is null ? "" : " AND id <> @Except"),
                new
                {
                    UserId = userId,
                    Except = exceptSessionId,
                    Now = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    private async Task<UserSession?> QueryOneAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)
        );
        return row?.ToSession();
    }

    private static DateTimeOffset At(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static DateTimeOffset? At(long? milliseconds) =>
        milliseconds is { } m ? DateTimeOffset.FromUnixTimeMilliseconds(m) : null;

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string UserId { get; init; } = "";
        public string RefreshTokenHash { get; init; } = "";
        public long CreatedAt { get; init; }
        public long ExpiresAt { get; init; }
        public long? RevokedAt { get; init; }
        public long? LastUsedAt { get; init; }
        public string? UserAgent { get; init; }
        public string? Ip { get; init; }

        public UserSession ToSession() =>
            new(
                Id,
                UserId,
                RefreshTokenHash,
                At(CreatedAt),
                At(ExpiresAt),
                At(RevokedAt),
                At(LastUsedAt),
                UserAgent,
                Ip
            );
    }

    private sealed class StateRow
    {
        public string SessionId { get; init; } = "";
        public string UserId { get; init; } = "";
        public long ExpiresAt { get; init; }
        public long? RevokedAt { get; init; }
        public long? DisabledAt { get; init; }
        public long IsAdmin { get; init; }
    }
}
