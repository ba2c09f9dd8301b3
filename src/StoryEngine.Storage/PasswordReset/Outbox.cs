using Dapper;
using StoryEngine.Core.PasswordReset;

namespace StoryEngine.Storage.PasswordReset;

public sealed class Outbox(IStorageProvider provider) : IOutbox
{
    private const int MaxError = 1000;

    public async Task EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO outbox_messages (id, user_id, kind, recipient, subject, body, created_at, "
                    + "next_attempt_at, "
                    + "locked_until, attempts, last_error, sent_at) "
                    + "VALUES (@Id, @UserId, @Kind, @Recipient, @Subject, @Body, @CreatedAt, @CreatedAt, NULL, 0, "
                    + "NULL, NULL)",
                new
                {
                    message.Id,
                    message.UserId,
                    message.Kind,
                    message.Recipient,
                    message.Subject,
                    Body = message.SealedBody,
                    CreatedAt = message.CreatedAt.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var due = (
            await connection.QueryAsync<Row>(
                new CommandDefinition(
                    "SELECT id AS Id, user_id AS UserId, kind AS Kind, recipient AS Recipient, subject AS Subject, "
                        + "body AS "
                        + "Body, created_at AS CreatedAt, attempts AS Attempts "
                        + "FROM outbox_messages WHERE sent_at IS NULL AND next_attempt_at <= @Now AND (locked_until "
                        + "IS NULL OR "
                        + "locked_until < @Now) ORDER BY next_attempt_at, id LIMIT @Limit",
                    new { Now = now.ToUnixTimeMilliseconds(), Limit = limit },
                    cancellationToken: cancellationToken
                )
            )
        ).ToArray();
        var claimed = new List<OutboxMessage>(due.Length);
        foreach (var row in due)
        {
            // The lease is taken with a conditional update, so of two nodes that read the same row only one sends it.
            var taken = await connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE outbox_messages SET locked_until = @LeaseUntil, attempts = attempts + 1 "
                        + "WHERE id = @Id AND sent_at IS NULL AND (locked_until IS NULL OR locked_until < @Now)",
                    new
                    {
                        row.Id,
                        Now = now.ToUnixTimeMilliseconds(),
                        LeaseUntil = leaseUntil.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            );
            if (taken == 1 && row.Body is not null)
            {
                claimed.Add(
                    new OutboxMessage(
                        row.Id,
                        row.UserId,
                        row.Kind,
                        row.Recipient,
                        row.Subject,
                        row.Body,
                        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
                        (int)row.Attempts + 1
                    )
                );
            }
        }
        return claimed;
    }

    public async Task MarkSentAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE outbox_messages SET sent_at = @Now, body = NULL, locked_until = NULL, last_error = NULL WHERE "
                    + "id = @Id",
                new { Id = id, Now = now.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task MarkFailedAsync(
        string id,
        string error,
        DateTimeOffset nextAttemptAt,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE outbox_messages SET locked_until = NULL, next_attempt_at = @Next, last_error = @Error WHERE id "
                    + "= @Id",
                new
                {
                    Id = id,
                    Next = nextAttemptAt.ToUnixTimeMilliseconds(),
                    Error = error.Length > MaxError ? error[..MaxError] : error,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<int> CountUnsentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return (int)
            await connection.ExecuteScalarAsync<long>(
                new CommandDefinition(
                    "SELECT COUNT(*) FROM " + "outbox_messages WHERE sent_at IS NULL",
                    cancellationToken: cancellationToken
                )
            );
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string? UserId { get; init; }
        public string Kind { get; init; } = "";
        public string Recipient { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? Body { get; init; }
        public long CreatedAt { get; init; }
        public long Attempts { get; init; }
    }
}
