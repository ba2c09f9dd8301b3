using Dapper;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Storage.Accounts;

public sealed class SessionStore(IStorageProvider provider) : ISessionStore
{
    public async Task InsertAsync(UserSession session, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO user_sessions (id, user_id, refresh_token_hash, created_at, expires_at, revoked_at) VALUES (@Id, @UserId, @RefreshTokenHash, @CreatedAt, @ExpiresAt, NULL)",
            new
            {
                session.Id,
                session.UserId,
                session.RefreshTokenHash,
                CreatedAt = session.CreatedAt.ToUnixTimeMilliseconds(),
                ExpiresAt = session.ExpiresAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: cancellationToken));
    }

    public async Task<UserSession?> FindByRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT id AS Id, user_id AS UserId, refresh_token_hash AS RefreshTokenHash, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt FROM user_sessions WHERE refresh_token_hash = @Hash",
            new { Hash = refreshTokenHash }, cancellationToken: cancellationToken));
        return row is null ? null : new UserSession(row.Id, row.UserId, row.RefreshTokenHash,
            DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
            row.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null);
    }

    public async Task<bool> RotateAsync(string sessionId, string expectedHash, string newHash, DateTimeOffset newExpiry, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE user_sessions SET refresh_token_hash = @NewHash, expires_at = @ExpiresAt WHERE id = @Id AND refresh_token_hash = @ExpectedHash AND revoked_at IS NULL",
            new { Id = sessionId, ExpectedHash = expectedHash, NewHash = newHash, ExpiresAt = newExpiry.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return changed == 1;
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string UserId { get; init; } = "";
        public string RefreshTokenHash { get; init; } = "";
        public long CreatedAt { get; init; }
        public long ExpiresAt { get; init; }
        public long? RevokedAt { get; init; }
    }
}
