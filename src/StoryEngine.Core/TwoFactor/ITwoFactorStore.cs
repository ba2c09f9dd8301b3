namespace StoryEngine.Core.TwoFactor;

/// <summary>A user's TOTP enrolment: the sealed secret, whether it is on, and the last step used (so no code works
/// twice).</summary>
public sealed record TwoFactorRecord(
    string UserId,
    string SealedSecret,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EnabledAt,
    long LastStep
)
{
    public bool Enabled => EnabledAt is not null;
}

public interface ITwoFactorStore
{
    Task<TwoFactorRecord?> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Starts (or restarts) an enrolment; false when two-factor sign-in is already on.</summary>
    Task<bool> SavePendingAsync(
        string userId,
        string sealedSecret,
        DateTimeOffset now,
        CancellationToken cancellationToken
    );

    /// <summary>Turns a pending enrolment on, uses up <paramref name="step"/> and replaces the recovery codes; false
    /// when not pending.</summary>
    Task<bool> EnableAsync(
        string userId,
        long step,
        IReadOnlyList<string> recoveryCodeHashes,
        DateTimeOffset now,
        CancellationToken cancellationToken
    );

    /// <summary>Records <paramref name="step"/> as used; false when it, or a later one, was used already (a replayed
    /// code).</summary>
    Task<bool> TryUseStepAsync(string userId, long step, CancellationToken cancellationToken);

    /// <summary>Marks an unused recovery code used; false when there is no such unused code.</summary>
    Task<bool> TryUseRecoveryCodeAsync(
        string userId,
        string codeHash,
        DateTimeOffset now,
        CancellationToken cancellationToken
    );

    Task<int> CountRecoveryCodesLeftAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Removes the enrolment and its recovery codes.</summary>
    Task DeleteAsync(string userId, CancellationToken cancellationToken);
}
