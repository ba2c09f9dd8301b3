using Dapper;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Storage.Accounts;

public sealed class LoginFailureStore(IStorageProvider provider) : ILoginFailureStore
{
    public async Task<IReadOnlyList<LoginFailures>> GetAsync(
        IReadOnlyList<string> keys,
        CancellationToken cancellationToken
    )
    {
        // Named parameters spelled out: Dapper would send a list to PostgreSQL as one array parameter, which IN cannot
        // take.
        var parameters = new DynamicParameters();
        for (var i = 0; i < keys.Count; i++)
        {
            parameters.Add($"Key{i}", keys[i]);
        }
        var names = string.Join(", ", keys.Select((_, i) => $"@Key{i}"));
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                "SELECT throttle_key AS ThrottleKey, failures AS Failures, last_failure_at AS LastFailureAt FROM "
                    + $"login_failures WHERE throttle_key IN ({names})",
                parameters,
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToFailures()).ToArray();
    }

    public async Task<IReadOnlyList<LoginFailures>> RecordAsync(
        IReadOnlyList<string> keys,
        DateTimeOffset now,
        DateTimeOffset forgetBefore,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var results = new List<LoginFailures>(keys.Count);
        foreach (var key in keys)
        {
            // One statement per key, so two failures at once both count (no read-modify-write in between).
            var row = await connection.QuerySingleAsync<Row>(
                new CommandDefinition(
                    "INSERT INTO login_failures (throttle_key, failures, last_failure_at) VALUES (@Key, 1, @Now) "
                        + "ON CONFLICT (throttle_key) DO UPDATE SET "
                        + "failures = CASE WHEN login_failures.last_failure_at < @ForgetBefore THEN 1 ELSE "
                        + "login_failures.failures + 1 END, "
                        + "last_failure_at = @Now "
                        + "RETURNING throttle_key AS ThrottleKey, failures AS Failures, last_failure_at AS "
                        + "LastFailureAt",
                    new
                    {
                        Key = key,
                        Now = now.ToUnixTimeMilliseconds(),
                        ForgetBefore = forgetBefore.ToUnixTimeMilliseconds(),
                    },
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
            results.Add(row.ToFailures());
        }
        // Counters nobody has touched for a day mean nothing any more; dropping them here keeps the table small
        // without a job of its own (failures are rare and rate-limited, so this runs rarely).
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM login_failures WHERE last_failure_at < @Cutoff",
                new { Cutoff = (now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    public async Task ClearAsync(string key, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM login_failures WHERE throttle_key = " + "@Key",
                new { Key = key },
                cancellationToken: cancellationToken
            )
        );
    }

    private sealed class Row
    {
        public string ThrottleKey { get; init; } = "";
        public long Failures { get; init; }
        public long LastFailureAt { get; init; }

        public LoginFailures ToFailures() =>
            new(
                ThrottleKey,
                (int)Math.Min(Failures, int.MaxValue),
                DateTimeOffset.FromUnixTimeMilliseconds(LastFailureAt)
            );
    }
}
