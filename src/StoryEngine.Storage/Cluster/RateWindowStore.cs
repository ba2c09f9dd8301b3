using Dapper;

namespace StoryEngine.Storage.Cluster;

/// <summary>
/// Fixed-window counters shared by every node through the database (table <c>rate_windows</c>), for rate limits
/// when there is no Redis: one upsert per request counts it and returns the count so far in its window.
/// </summary>
public sealed class RateWindowStore(IStorageProvider provider)
{
    /// <summary>Counts one hit of <paramref name="key"/> (already hashed) in the window starting at
    /// <paramref name="windowStart"/> and returns the hits in that window, this one included.</summary>
    public async Task<long> HitAsync(string key, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var start = windowStart.ToUnixTimeMilliseconds();
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var hits = await write.Connection.QuerySingleAsync<long>(
            new CommandDefinition(
                "INSERT INTO rate_windows (limit_key, window_start, hits) VALUES (@Key, @Start, 1) "
                    + "ON CONFLICT (limit_key) DO UPDATE SET hits = CASE WHEN rate_windows.window_start = @Start "
                    + "THEN rate_windows.hits + 1 ELSE 1 END, window_start = @Start RETURNING hits",
                new { Key = key, Start = start },
                cancellationToken: cancellationToken
            )
        );
        if (hits == 1 && Random.Shared.Next(100) == 0)
        {
            // Now and then, as a key starts a window, the keys nobody used for an hour are dropped.
            await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM rate_windows WHERE window_start < @Old",
                    new { Old = start - (long)TimeSpan.FromHours(1).TotalMilliseconds },
                    cancellationToken: cancellationToken
                )
            );
        }
        return hits;
    }
}
