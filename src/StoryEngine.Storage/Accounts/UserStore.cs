using System.Data.Common;
using Dapper;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Storage.Accounts;

public sealed class UserStore(IStorageProvider provider) : IUserStore
{
    private const string Columns = "id AS Id, username AS Username, password_hash AS PasswordHash, is_admin AS IsAdmin, created_at AS CreatedAt";

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM users WHERE username_key = @Key", new { Key = username.ToLowerInvariant() }, cancellationToken);

    public Task<User?> GetAsync(string id, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM users WHERE id = @Id", new { Id = id }, cancellationToken);

    public async Task<bool> TryInsertAsync(User user, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO users (id, username, username_key, password_hash, is_admin, created_at) VALUES (@Id, @Username, @Key, @PasswordHash, @IsAdmin, @CreatedAt)",
                new
                {
                    user.Id,
                    user.Username,
                    Key = user.Username.ToLowerInvariant(),
                    user.PasswordHash,
                    IsAdmin = user.IsAdmin ? 1L : 0L,
                    CreatedAt = user.CreatedAt.ToUnixTimeMilliseconds(),
                }, cancellationToken: cancellationToken));
            return true;
        }
        catch (DbException e) when (provider.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken));
    }

    private async Task<User?> QueryOneAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return row is null ? null : new User(row.Id, row.Username, row.PasswordHash, row.IsAdmin != 0, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
    }

    private sealed record Row(string Id, string Username, string PasswordHash, long IsAdmin, long CreatedAt);
}
