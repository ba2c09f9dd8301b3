using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// Brute-force protection for password checks (sign-in and password change). An attempt during a key's waiting
/// period is refused before the password is looked at, with the same answer whether the account exists or not.
/// Known limit: attempts that arrive at the same instant are all checked against the same count; the per-address
/// rate limit (RateLimits:AuthPerMinute) bounds how many that can be.
/// </summary>
public sealed class LoginThrottle(ILoginFailureStore store, LockoutSettings settings, TimeProvider clock)
{
    /// <summary>Throws <see cref="TooManyAttemptsException"/> when the account name or the address must wait.</summary>
    public async Task EnsureAllowedAsync(string? username, string? ip, CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            return;
        }
        var keys = Keys(username, ip);
        var now = clock.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var failures in await store.GetAsync(keys, cancellationToken))
        {
            var until = failures.LastFailureAt + Delay(failures);
            if (until > now && until - now > wait)
            {
                wait = until - now;
            }
        }
        if (wait > TimeSpan.Zero)
        {
            throw new TooManyAttemptsException(wait);
        }
    }

    public async Task RecordFailureAsync(string? username, string? ip, CancellationToken cancellationToken)
    {
        if (settings.Enabled)
        {
            var now = clock.GetUtcNow();
            await store.RecordAsync(Keys(username, ip), now, now - settings.ForgetAfter, cancellationToken);
        }
    }

    /// <summary>
    /// Clears the account's count. The address's count stays: an attacker who signs in to an account of their own
    /// between guesses must not reset the counter that spans all the accounts they try.
    /// </summary>
    public Task RecordSuccessAsync(string? username, CancellationToken cancellationToken) =>
        settings.Enabled ? store.ClearAsync(AccountKey(username), cancellationToken) : Task.CompletedTask;

    private TimeSpan Delay(LoginFailures failures)
    {
        var isAddress = failures.Key.StartsWith("ip:", StringComparison.Ordinal);
        var free = isAddress ? settings.IpFreeAttempts : settings.AccountFreeAttempts;
        var lockAfter = isAddress ? settings.IpLockAfter : settings.AccountLockAfter;
        if (failures.Count >= lockAfter)
        {
            return settings.LockFor;
        }
        if (failures.Count < free)
        {
            return TimeSpan.Zero;
        }
        var doublings = Math.Min(failures.Count - free, 30);
        var delay = settings.BaseDelay * Math.Pow(2, doublings);
        return delay > settings.MaxDelay ? settings.MaxDelay : delay;
    }

    private static string[] Keys(string? username, string? ip)
    {
        var address = AddressKey(ip);
        return address is null ? [AccountKey(username)] : [AccountKey(username), address];
    }

    // A hash, so names typed by strangers (sometimes a password typed into the wrong field) are not kept in the clear.
    private static string AccountKey(string? username) =>
        "account:"
        + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((username ?? "").Trim().ToLowerInvariant())));

    /// <summary>An IPv6 client usually controls a whole /64, so that is what is counted; IPv4 counts per
    /// address.</summary>
    private static string? AddressKey(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address))
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new IPAddress(bytes);
            return $"ip:{address}/64";
        }
        return "ip:" + address;
    }
}
