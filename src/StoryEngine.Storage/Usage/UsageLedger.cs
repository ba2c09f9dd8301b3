using Dapper;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Usage;

namespace StoryEngine.Storage.Usage;

/// <summary>The usage_ledger table: appended to by <see cref="UsageMeter"/>, summed for quotas and reports.</summary>
public sealed class UsageLedger(IStorageProvider provider) : IUsageLedger
{
    // PostgreSQL sums BIGINT as NUMERIC; the casts keep both engines answering 64-bit integers.
    private const string Sums =
        "COUNT(*) AS Calls, CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS PromptTokens, "
        + "CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS CompletionTokens, CAST(COALESCE(SUM(estimated), 0) "
        + "AS BIGINT) AS EstimatedCalls, "
        + "CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) AS CostMicros";

    public async Task<bool> AppendAsync(
        UsageRecord record,
        CancellationToken cancellationToken,
        bool syncedByNextWrite = false
    )
    {
        await using var write = syncedByNextWrite
            ? await provider.OpenForBookkeepingAsync(cancellationToken)
            : await provider.OpenForWriteAsync(cancellationToken);
        // Only for a user that still exists: a call that finishes after its account was erased must not bring a row
        // back.
        var inserted = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO usage_ledger (id, user_id, adventure_id, purpose, backend, model, prompt_tokens, "
                    + "completion_tokens, estimated, cost_micros, day, at) "
                    + "SELECT @Id, @UserId, @AdventureId, @Purpose, @Backend, @Model, @PromptTokens, "
                    + "@CompletionTokens, "
                    + "@Estimated, @CostMicros, @Day, @At "
                    + "WHERE EXISTS (SELECT 1 FROM users WHERE id = @UserId) "
                    +
                    // A row written again after an outage (UsageMeter keeps it by id) must not count twice.
                    "AND NOT EXISTS (SELECT 1 FROM usage_ledger WHERE id = @Id)",
                new
                {
                    record.Id,
                    record.UserId,
                    record.AdventureId,
                    record.Purpose,
                    record.Backend,
                    record.Model,
                    record.PromptTokens,
                    record.CompletionTokens,
                    Estimated = record.Estimated ? 1L : 0L,
                    record.CostMicros,
                    record.Day,
                    At = record.At.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
        return inserted == 1;
    }

    public async Task<long> TokensSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(
                "SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) FROM usage_ledger WHERE "
                    + "user_id = @UserId AND at >= @Since",
                new { UserId = userId, Since = since.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<UsageBreakdown> BreakdownAsync(
        string userId,
        string from,
        string to,
        CancellationToken cancellationToken
    )
    {
        var range = new
        {
            UserId = userId,
            From = from,
            To = to,
        };
        await using var connection = await provider.OpenAsync(cancellationToken);
        var days = await connection.QueryAsync<GroupRow>(
            new CommandDefinition(
                $"SELECT day AS KeyA, NULL AS KeyB, {Sums} FROM usage_ledger WHERE user_id = @UserId AND day >= @From "
                    + "AND day <= @To GROUP BY day ORDER BY day",
                range,
                cancellationToken: cancellationToken
            )
        );
        var models = await connection.QueryAsync<GroupRow>(
            new CommandDefinition(
                $"SELECT backend AS KeyA, model AS KeyB, {Sums} FROM usage_ledger WHERE user_id = @UserId AND day >= "
                    + "@From AND day <= @To "
                    + "GROUP BY backend, model ORDER BY SUM(prompt_tokens + completion_tokens) DESC, model, backend",
                range,
                cancellationToken: cancellationToken
            )
        );
        var purposes = await connection.QueryAsync<GroupRow>(
            new CommandDefinition(
                $"SELECT purpose AS KeyA, NULL AS KeyB, {Sums} FROM usage_ledger WHERE user_id = @UserId AND day >= "
                    + "@From AND day <= @To "
                    + "GROUP BY purpose ORDER BY purpose",
                range,
                cancellationToken: cancellationToken
            )
        );
        return new UsageBreakdown(
            days.Select(d => new DayUsage(d.KeyA!, d.Totals())).ToArray(),
            models.Select(m => new ModelUsage(m.KeyA, m.KeyB, m.Totals())).ToArray(),
            purposes.Select(p => new PurposeUsage(p.KeyA!, p.Totals())).ToArray()
        );
    }

    public async Task<Page<UserUsage>> ByUserAsync(
        string from,
        string to,
        int limit,
        string? afterUserId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<UserRow>(
                new CommandDefinition(
                    $"SELECT l.user_id AS UserId, u.username AS Username, u.tier AS Tier, {Sums} "
                        + "FROM usage_ledger l LEFT JOIN users u ON u.id = l.user_id "
                        + "WHERE l.day >= @From AND l.day <= @To"
                        + (afterUserId is null ? "" : " AND l.user_id > @After")
                        + " "
                        + "GROUP BY l.user_id, u.username, u.tier ORDER BY l.user_id LIMIT @Take",
                    new
                    {
                        From = from,
                        To = to,
                        After = afterUserId,
                        Take = limit + 1,
                    },
                    cancellationToken: cancellationToken
                )
            )
        ).ToList();
        var items = rows.Take(limit).Select(r => new UserUsage(r.UserId, r.Username, r.Tier, r.Totals())).ToArray();
        return new Page<UserUsage>(items, rows.Count > limit ? Cursor.Encode(items[^1].UserId) : null);
    }

    private class GroupRow
    {
        public string? KeyA { get; init; }
        public string? KeyB { get; init; }
        public long Calls { get; init; }
        public long PromptTokens { get; init; }
        public long CompletionTokens { get; init; }
        public long EstimatedCalls { get; init; }
        public long CostMicros { get; init; }

        public UsageTotals Totals() => new(Calls, PromptTokens, CompletionTokens, EstimatedCalls, CostMicros);
    }

    private sealed class UserRow : GroupRow
    {
        public string UserId { get; init; } = "";
        public string? Username { get; init; }
        public string? Tier { get; init; }
    }
}
