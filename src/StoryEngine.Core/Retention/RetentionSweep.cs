namespace StoryEngine.Core.Retention;

/// <summary>What one sweep removed.</summary>
public sealed record RetentionReport(int SentMail, int ResetTokens, int Sessions)
{
    public int Total => SentMail + ResetTokens + Sessions;
}

/// <summary>
/// Removes what the account features leave behind once it is of no use: sent mail, expired reset tokens, ended
/// sessions.
/// The usage ledger and the audit log are records, not leftovers: they stay until the account is erased
/// (docs/security.md, Retention). Finished jobs and old sign-in failures are pruned by their own features.
/// </summary>
public sealed class RetentionSweep(IRetentionStore store, RetentionOptions options, TimeProvider clock)
{
    public async Task<RetentionReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return new RetentionReport(
            await store.DeleteSentMailAsync(now.AddDays(-options.SentMailDays), cancellationToken),
            // An expired token is refused anyway; nothing is gained by keeping it.
            await store.DeleteExpiredResetTokensAsync(now, cancellationToken),
            await store.DeleteEndedSessionsAsync(now.AddDays(-options.EndedSessionDays), cancellationToken)
        );
    }
}
