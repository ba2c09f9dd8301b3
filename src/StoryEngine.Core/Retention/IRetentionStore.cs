namespace StoryEngine.Core.Retention;

/// <summary>Deletes housekeeping rows that can no longer be used; each method answers how many rows it
/// removed.</summary>
public interface IRetentionStore
{
    /// <summary>Outbox mail sent before <paramref name="cutoff"/>; unsent mail is never touched.</summary>
    Task<int> DeleteSentMailAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Password-reset tokens that expired before <paramref name="cutoff"/>, used or not.</summary>
    Task<int> DeleteExpiredResetTokensAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Sessions revoked or expired before <paramref name="cutoff"/>, with the hashes of their retired refresh
    /// tokens.</summary>
    Task<int> DeleteEndedSessionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
