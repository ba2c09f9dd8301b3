using Microsoft.Extensions.Options;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Server.Auth;

/// <summary>Settings under <c>Auth:Lockout</c>: how failed sign-ins slow down and then lock (see <see
/// cref="LockoutSettings"/>).</summary>
public sealed class LockoutOptions
{
    public const string Section = "Auth:Lockout";

    public bool Enabled { get; set; } = LockoutSettings.Default.Enabled;

    /// <summary>Failures of one account name before each further attempt must wait.</summary>
    public int AccountFreeAttempts { get; set; } = LockoutSettings.Default.AccountFreeAttempts;

    /// <summary>Failures of one account name that lock it for <see cref="LockMinutes"/>.</summary>
    public int AccountLockAfter { get; set; } = LockoutSettings.Default.AccountLockAfter;

    /// <summary>Failures from one address (an IPv6 /64) before each further attempt must wait; higher, since many
    /// people may share a NAT.</summary>
    public int IpFreeAttempts { get; set; } = LockoutSettings.Default.IpFreeAttempts;

    public int IpLockAfter { get; set; } = LockoutSettings.Default.IpLockAfter;

    /// <summary>The first wait; it doubles with each further failure up to <see cref="MaxDelaySeconds"/>.</summary>
    public int BaseDelaySeconds { get; set; } = (int)LockoutSettings.Default.BaseDelay.TotalSeconds;

    public int MaxDelaySeconds { get; set; } = (int)LockoutSettings.Default.MaxDelay.TotalSeconds;

    public int LockMinutes { get; set; } = (int)LockoutSettings.Default.LockFor.TotalMinutes;

    /// <summary>Failures are forgotten this long after the last one.</summary>
    public int ForgetMinutes { get; set; } = (int)LockoutSettings.Default.ForgetAfter.TotalMinutes;

    public LockoutSettings ToSettings() =>
        new(
            Enabled,
            AccountFreeAttempts,
            AccountLockAfter,
            IpFreeAttempts,
            IpLockAfter,
            TimeSpan.FromSeconds(BaseDelaySeconds),
            TimeSpan.FromSeconds(MaxDelaySeconds),
            TimeSpan.FromMinutes(LockMinutes),
            TimeSpan.FromMinutes(ForgetMinutes)
        );
}

public sealed class LockoutOptionsValidator : IValidateOptions<LockoutOptions>
{
    public ValidateOptionsResult Validate(string? name, LockoutOptions options)
    {
        var failures = new List<string>();
        foreach (
            var (key, value) in new[]
            {
                ("AccountFreeAttempts", options.AccountFreeAttempts),
                ("AccountLockAfter", options.AccountLockAfter),
                ("IpFreeAttempts", options.IpFreeAttempts),
                ("IpLockAfter", options.IpLockAfter),
                ("BaseDelaySeconds", options.BaseDelaySeconds),
                ("MaxDelaySeconds", options.MaxDelaySeconds),
                ("LockMinutes", options.LockMinutes),
                ("ForgetMinutes", options.ForgetMinutes),
            }
        )
        {
            if (value < 1)
            {
                failures.Add($"Auth:Lockout:{key} must be at least 1 (got {value}).");
            }
        }
        if (options.AccountLockAfter < options.AccountFreeAttempts)
        {
            failures.Add(
                $"Auth:Lockout:AccountLockAfter ({options.AccountLockAfter}) must not be below "
                    + $"AccountFreeAttempts ({options.AccountFreeAttempts})."
            );
        }
        if (options.IpLockAfter < options.IpFreeAttempts)
        {
            failures.Add(
                $"Auth:Lockout:IpLockAfter ({options.IpLockAfter}) must not be below IpFreeAttempts "
                    + $"({options.IpFreeAttempts})."
            );
        }
        if (options.MaxDelaySeconds < options.BaseDelaySeconds)
        {
            failures.Add(
                $"Auth:Lockout:MaxDelaySeconds ({options.MaxDelaySeconds}) must not be below "
                    + $"BaseDelaySeconds ({options.BaseDelaySeconds})."
            );
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
