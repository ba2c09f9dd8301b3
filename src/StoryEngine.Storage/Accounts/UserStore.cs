using System.Data.Common;
using System.Text;
using Dapper;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Resources;

namespace StoryEngine.Storage.Accounts;

public sealed class UserStore(IStorageProvider provider) : IUserStore
{
    private const string Columns =
        "id AS Id, username AS Username, password_hash AS PasswordHash, is_admin AS "
        + "IsAdmin, created_at AS CreatedAt, disabled_at AS DisabledAt, "
        + "tier AS Tier, daily_token_quota AS DailyTokenQuota, monthly_token_quota AS MonthlyTokenQuota";

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        QueryOneAsync(
            $"SELECT {Columns} FROM users WHERE username_key = " + "@Key",
            new { Key = username.ToLowerInvariant() },
            cancellationToken
        );

    public Task<User?> GetAsync(string id, CancellationToken cancellationToken) =>
        QueryOneAsync($"SELECT {Columns} FROM users WHERE id = @Id", new { Id = id }, cancellationToken);

    public async Task<bool> TryInsertAsync(User user, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        try
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    "INSERT INTO users (id, username, username_key, password_hash, is_admin, created_at) VALUES (@Id, "
                        + "@Username, @Key, @PasswordHash, @IsAdmin, @CreatedAt)",
                    new
                    {
                        user.Id,
                        user.Username,
                        Key = user.Username.ToLowerInvariant(),
                        user.PasswordHash,
                        IsAdmin = user.IsAdmin ? 1L : 0L,
                        CreatedAt = user.CreatedAt.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            );
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
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken)
        );
    }

    public async Task<Page<User>> ListAsync(ListQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM users WHERE 1 = 1");
        var parameters = new DynamicParameters(new { Take = query.Limit + 1 });
        if (query.AfterId is not null)
        {
            sql.Append(" AND id > @AfterId");
            parameters.Add("AfterId", query.AfterId);
        }
        if (query.Text is not null)
        {
            sql.Append(@" AND username_key LIKE @Text ESCAPE '\'");
            parameters.Add("Text", $"%{EscapeLike(query.Text.ToLowerInvariant())}%");
        }
        sql.Append(" ORDER BY id LIMIT @Take");
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<Row>(
                new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken)
            )
        ).ToList();
        var items = rows.Take(query.Limit).Select(r => r.ToUser()).ToArray();
        return new Page<User>(items, rows.Count > query.Limit ? Cursor.Encode(items[^1].Id) : null);
    }

    public Task<bool> SetDisabledAsync(string id, DateTimeOffset? disabledAt, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE users SET disabled_at = @Value WHERE id = " + "@Id",
            new { Id = id, Value = disabledAt?.ToUnixTimeMilliseconds() },
            cancellationToken
        );

    public Task<bool> SetAdminAsync(string id, bool isAdmin, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE users SET is_admin = @Value WHERE id = " + "@Id",
            new { Id = id, Value = isAdmin ? 1L : 0L },
            cancellationToken
        );

    public Task<bool> SetTierAsync(string id, string? tier, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE users SET tier = @Value WHERE id = @Id", new { Id = id, Value = tier }, cancellationToken);

    public Task<bool> SetTokenQuotaAsync(
        string id,
        long? dailyTokens,
        long? monthlyTokens,
        CancellationToken cancellationToken
    ) =>
        UpdateAsync(
            "UPDATE users SET daily_token_quota = @Daily, monthly_token_quota = @Monthly WHERE id = @Id",
            new
            {
                Id = id,
                Daily = dailyTokens,
                Monthly = monthlyTokens,
            },
            cancellationToken
        );

    public Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE users SET password_hash = @Value WHERE id = " + "@Id",
            new { Id = id, Value = passwordHash },
            cancellationToken
        );

    private async Task<bool> UpdateAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(
                new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)
            ) == 1;
    }

    private async Task<User?> QueryOneAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)
        );
        return row?.ToUser();
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string Username { get; init; } = "";
        public string PasswordHash { get; init; } = "";
        public long IsAdmin { get; init; }
        public long CreatedAt { get; init; }
        public long? DisabledAt { get; init; }
        public string? Tier { get; init; }
        public long? DailyTokenQuota { get; init; }
        public long? MonthlyTokenQuota { get; init; }

        public User ToUser() =>
            new(
                Id,
                Username,
                PasswordHash,
                IsAdmin != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                DisabledAt is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
                Tier,
                DailyTokenQuota,
                MonthlyTokenQuota
            );
    }
}
