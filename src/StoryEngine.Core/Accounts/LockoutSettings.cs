namespace StoryEngine.Core.Accounts;

/// <summary>
/// How failed sign-ins slow down and then lock further attempts (issue 4), counted separately per account name (as
/// typed, so names that do not exist behave exactly like names that do) and per client address.
/// After <c>FreeAttempts</c> failures each further attempt must wait <see cref="BaseDelay"/>, doubling up to
/// <see cref="MaxDelay"/>; after <c>LockAfter</c> failures it waits <see cref="LockFor"/>. Failures are forgotten
/// <see cref="ForgetAfter"/> after the last one, and an account's count is cleared by a successful sign-in.
/// </summary>
public sealed record LockoutSettings(
    bool Enabled,
    int AccountFreeAttempts,
    int AccountLockAfter,
    int IpFreeAttempts,
    int IpLockAfter,
    TimeSpan BaseDelay,
    TimeSpan MaxDelay,
    TimeSpan LockFor,
    TimeSpan ForgetAfter
)
{
    public static readonly LockoutSettings Default = new(
        true,
        5,
        10,
        20,
        100,
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(15)
    );
}

/// <summary>How many failures one throttle key (an account name or an address) has, and when the last was.</summary>
public sealed record LoginFailures(string Key, int Count, DateTimeOffset LastFailureAt);

/// <summary>Failure counters shared by every node (they live in the database), so restarting or load-balancing resets
/// nothing.</summary>
public interface ILoginFailureStore
{
    Task<IReadOnlyList<LoginFailures>> GetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Adds one failure to each key (starting again from one where the last failure is older than
    /// <paramref name="forgetBefore"/>) and returns the new counts.
    /// </summary>
    Task<IReadOnlyList<LoginFailures>> RecordAsync(
        IReadOnlyList<string> keys,
        DateTimeOffset now,
        DateTimeOffset forgetBefore,
        CancellationToken cancellationToken
    );

    Task ClearAsync(string key, CancellationToken cancellationToken);
}
