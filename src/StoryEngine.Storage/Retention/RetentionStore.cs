using Dapper;
using StoryEngine.Core.Retention;

namespace StoryEngine.Storage.Retention;

/// <summary>The retention deletes, the same SQL on both engines; each is one statement (or one transaction) on its
/// own.</summary>
public sealed class RetentionStore(IStorageProvider provider) : IRetentionStore
{
    public Task<int> DeleteSentMailAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "DELETE FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < " + "@Cutoff",
            cutoff,
            cancellationToken
        );

    public Task<int> DeleteExpiredResetTokensAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM password_reset_tokens WHERE expires_at < @Cutoff", cutoff, cancellationToken);

    public async Task<int> DeleteEndedSessionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        const string Ended =
            "SELECT id FROM user_sessions WHERE (revoked_at IS NOT NULL AND revoked_at < @Cutoff) "
            + "OR expires_at < @Cutoff";
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await using var transaction = await write.Connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { Cutoff = cutoff.ToUnixTimeMilliseconds() };
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_session_retired_tokens WHERE session_id IN " + $"({Ended})",
                parameters,
                transaction,
                cancellationToken: cancellationToken
            )
        );
        var sessions = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM user_sessions WHERE id IN " + $"({Ended})",
                parameters,
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
        return sessions;
    }

    private async Task<int> ExecuteAsync(string sql, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
            new CommandDefinition(
                sql,
                new { Cutoff = cutoff.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }
}
