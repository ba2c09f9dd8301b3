using Dapper;
using StoryEngine.Core.Retention;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Retention;

/// <summary>
/// The retention sweep removes sent mail, expired reset tokens and ended sessions after their time, and nothing that
/// is still of use. On a server of its own per engine: the sweep looks at every account's rows.
/// </summary>
public abstract class RetentionTests(ServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public Task InitializeAsync() => server.InitializeAsync();

    public Task DisposeAsync() => server.DisposeAsync();

    [Fact]
    public async Task the_sweep_removes_only_what_has_outlived_its_use()
    {
        using var user = await server.CreateAccountAsync();
        var now = server.Clock.GetUtcNow();
        await using (
            var write = await server
                .Services.GetRequiredService<IStorageProvider>()
                .OpenForWriteAsync(CancellationToken.None)
        )
        {
            var db = write.Connection;
            async Task Session(string id, DateTimeOffset expires, DateTimeOffset? revoked)
            {
                await db.ExecuteAsync(
                    "INSERT INTO user_sessions (id, user_id, refresh_token_hash, created_at, "
                        + "expires_at, revoked_at) VALUES (@id, @user, @hash, @created, @expires, @revoked)",
                    new
                    {
                        id,
                        user = user.Id,
                        hash = "h-" + id,
                        created = (now - 60 * Day).ToUnixTimeMilliseconds(),
                        expires = expires.ToUnixTimeMilliseconds(),
                        revoked = revoked?.ToUnixTimeMilliseconds(),
                    }
                );
                await db.ExecuteAsync(
                    "INSERT INTO user_session_retired_tokens (token_hash, session_id, retired_at) "
                        + "VALUES (@hash, @id, @at)",
                    new
                    {
                        hash = "old-" + id,
                        id,
                        at = (now - 50 * Day).ToUnixTimeMilliseconds(),
                    }
                );
            }
            await Session("s-revoked-long-ago", now + 10 * Day, now - 31 * Day);
            await Session("s-revoked-lately", now + 10 * Day, now - 29 * Day);
            await Session("s-expired-long-ago", now - 31 * Day, null);
            await Session("s-live", now + 10 * Day, null);

            async Task Mail(string id, DateTimeOffset? sent)
            {
                await db.ExecuteAsync(
                    "INSERT INTO outbox_messages (id, user_id, kind, recipient, subject, body, "
                        + "created_at, next_attempt_at, attempts, sent_at) "
                        + "VALUES (@id, @user, 'password_reset', 'someone@example.test', 'Reset', NULL, @created, "
                        + "@created, 1, @sent)",
                    new
                    {
                        id,
                        user = user.Id,
                        created = (now - 40 * Day).ToUnixTimeMilliseconds(),
                        sent = sent?.ToUnixTimeMilliseconds(),
                    }
                );
            }
            await Mail("m-sent-long-ago", now - 8 * Day);
            await Mail("m-sent-lately", now - 6 * Day);
            await Mail("m-never-sent", null); // still owed to its recipient: never removed

            async Task Token(string hash, DateTimeOffset expires, DateTimeOffset? used)
            {
                await db.ExecuteAsync(
                    "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, "
                        + "expires_at, used_at) VALUES (@hash, @user, @created, @expires, @used)",
                    new
                    {
                        hash,
                        user = user.Id,
                        created = (expires - TimeSpan.FromMinutes(30)).ToUnixTimeMilliseconds(),
                        expires = expires.ToUnixTimeMilliseconds(),
                        used = used?.ToUnixTimeMilliseconds(),
                    }
                );
            }
            await Token("t-expired", now - TimeSpan.FromMinutes(1), null);
            await Token("t-used-and-expired", now - Day, now - 2 * Day);
            await Token("t-valid", now + TimeSpan.FromMinutes(20), null);
        }

        var report = await server.Services.GetRequiredService<RetentionSweep>().RunAsync(CancellationToken.None);

        Assert.Equal(new RetentionReport(SentMail: 1, ResetTokens: 2, Sessions: 2), report);
        Assert.Equal(
            ["s-live", "s-revoked-lately"],
            await IdsAsync("SELECT id FROM user_sessions WHERE id LIKE " + "'s-%' ORDER BY id")
        );
        Assert.Equal(
            ["old-s-live", "old-s-revoked-lately"],
            await IdsAsync(
                "SELECT token_hash FROM "
                    + "user_session_retired_tokens WHERE token_hash LIKE 'old-s-%' ORDER BY token_hash"
            )
        );
        Assert.Equal(
            ["m-never-sent", "m-sent-lately"],
            await IdsAsync("SELECT id FROM outbox_messages WHERE id " + "LIKE 'm-%' ORDER BY id")
        );
        Assert.Equal(
            ["t-valid"],
            await IdsAsync(
                "SELECT token_hash FROM password_reset_tokens WHERE token_hash " + "LIKE 't-%' ORDER BY token_hash"
            )
        );
        // The account's real session is untouched: it still works.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/me")).StatusCode);

        // A second sweep finds nothing left to do.
        Assert.Equal(
            0,
            (await server.Services.GetRequiredService<RetentionSweep>().RunAsync(CancellationToken.None)).Total
        );
    }

    private async Task<string[]> IdsAsync(string sql)
    {
        await using var connection = await server
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(sql)).ToArray();
    }
}

public sealed class RetentionTests_Sqlite() : RetentionTests(new SqliteServerFixture());

public sealed class RetentionTests_Postgres() : RetentionTests(new PostgresServerFixture());
