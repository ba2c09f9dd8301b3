namespace StoryEngine.Core.PasswordReset;

/// <summary>
/// A mail waiting to go out. It is written in the same request that decided to send it, so a crash or an SMTP outage
/// loses nothing: the sender retries until it is delivered. <see cref="SealedBody"/> is SecretBox ciphertext because a
/// reset mail holds a live token.
/// </summary>
public sealed record OutboxMessage(
    string Id,
    string? UserId,
    string Kind,
    string Recipient,
    string Subject,
    string SealedBody,
    DateTimeOffset CreatedAt,
    int Attempts = 0
);

public interface IOutbox
{
    Task EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> unsent messages that are due, each leased until <paramref name="leaseUntil"/> so
    /// another node does not send it at the same time.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        int limit,
        CancellationToken cancellationToken
    );

    /// <summary>Marks it sent and forgets its body.</summary>
    Task MarkSentAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkFailedAsync(string id, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    Task<int> CountUnsentAsync(CancellationToken cancellationToken);
}
