using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Secrets;

namespace StoryEngine.Core.TwoFactor;

/// <summary>
/// Two-factor sign-in with TOTP (RFC 6238) and one-time recovery codes (issue 4 §2). The secret is stored sealed by
/// <see cref="SecretBox"/>; recovery codes only as SHA-256 hashes. Every wrong code counts toward the sign-in
/// lockout (<see cref="LoginThrottle"/>), so six digits cannot be guessed at API speed.
/// </summary>
public sealed class TwoFactorService(
    ITwoFactorStore store,
    IUserStore users,
    SecretBox box,
    LoginThrottle throttle,
    AuditTrail audit,
    TimeProvider clock
)
{
    public const string Issuer = "Story Engine";
    public const int RecoveryCodeCount = 10;

    public async Task<TwoFactorStatus> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(userId, cancellationToken);
        var left = record is { Enabled: true } ? await store.CountRecoveryCodesLeftAsync(userId, cancellationToken) : 0;
        return new TwoFactorStatus(record?.Enabled == true, record?.EnabledAt, record is { Enabled: false }, left);
    }

    /// <summary>Makes a new secret for the user to add to their authenticator app; nothing changes at sign-in until it
    /// is confirmed.</summary>
    public async Task<TwoFactorEnrolment> BeginAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        // 160 bits: the HMAC-SHA1 key length RFC 4226 §4 recommends.
        var secret = Base32.Encode(RandomNumberGenerator.GetBytes(20));
        if (!await store.SavePendingAsync(userId, box.Seal(secret), clock.GetUtcNow(), cancellationToken))
        {
            throw new ConflictException(
                "Two-factor sign-in is already on. Turn it off first to enrol a new " + "authenticator.",
                "two_factor_already_enabled"
            );
        }
        return new TwoFactorEnrolment(secret, Totp.Uri(Issuer, user.Username, secret));
    }

    /// <summary>Turns two-factor sign-in on once the user proves their app makes the right codes; returns the recovery
    /// codes (shown once).</summary>
    public async Task<IReadOnlyList<string>> ConfirmAsync(
        string userId,
        string? code,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var record = await store.GetAsync(userId, cancellationToken);
        if (record is null || record.Enabled)
        {
            throw new ConflictException(
                record is null
                    ? "There is no enrolment to confirm. Start one with POST /api/v1/me/2fa."
                    : "Two-factor sign-in is already on.",
                record is null ? "two_factor_not_pending" : "two_factor_already_enabled"
            );
        }
        var step = string.IsNullOrWhiteSpace(code)
            ? null
            : Totp.MatchingStep(SecretOf(record), Normalize(code), clock.GetUtcNow());
        if (step is null)
        {
            throw ValidationFailedException.For(
                "code",
                "code is not the current code of the authenticator. Check "
                    + "the device's clock and try the next code."
            );
        }
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToArray();
        if (
            !await store.EnableAsync(
                userId,
                step.Value,
                codes.Select(HashRecoveryCode).ToArray(),
                clock.GetUtcNow(),
                cancellationToken
            )
        )
        {
            throw new ConflictException(
                "Two-factor sign-in was turned on by another " + "request.",
                "two_factor_already_enabled"
            );
        }
        await audit.RecordAsync(AuditActions.TwoFactorEnabled, origin, cancellationToken, userId: userId);
        return codes;
    }

    /// <summary>Turns two-factor sign-in off. Needs the password and a current code (or a recovery code), both under
    /// the lockout.</summary>
    public async Task DisableAsync(
        string userId,
        string? password,
        string? code,
        string? recoveryCode,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        var record = await store.GetAsync(userId, cancellationToken);
        if (record is not { Enabled: true })
        {
            throw new ConflictException("Two-factor sign-in is not on.", "two_factor_not_enabled");
        }
        await throttle.EnsureAllowedAsync(user.Username, origin.Ip, cancellationToken);
        if (!PasswordHashing.Verify(password ?? "", user.PasswordHash))
        {
            await throttle.RecordFailureAsync(user.Username, origin.Ip, cancellationToken);
            throw ValidationFailedException.For("password", "password is wrong.");
        }
        if (await CheckAsync(user, code, recoveryCode, origin, cancellationToken) != TwoFactorOutcome.Passed)
        {
            await throttle.RecordFailureAsync(user.Username, origin.Ip, cancellationToken);
            throw ValidationFailedException.For(
                "code",
                "Give a current code from the authenticator (code) or an " + "unused recovery code (recoveryCode)."
            );
        }
        await store.DeleteAsync(userId, cancellationToken);
        await audit.RecordAsync(
            AuditActions.TwoFactorDisabled,
            origin,
            cancellationToken,
            userId: userId,
            username: user.Username
        );
    }

    /// <summary>
    /// The second factor of a sign-in whose password was right. A used code (TOTP step or recovery code) is spent, so
    /// replaying it fails. Failures are audited here; counting them toward the lockout is the caller's job.
    /// </summary>
    public async Task<TwoFactorOutcome> CheckAsync(
        User user,
        string? code,
        string? recoveryCode,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var record = await store.GetAsync(user.Id, cancellationToken);
        if (record is not { Enabled: true })
        {
            return TwoFactorOutcome.NotEnrolled;
        }
        if (string.IsNullOrWhiteSpace(code) && string.IsNullOrWhiteSpace(recoveryCode))
        {
            return TwoFactorOutcome.Missing;
        }
        if (!string.IsNullOrWhiteSpace(code))
        {
            var normalized = Normalize(code);
            if (
                normalized.Length <= 10
                && Totp.MatchingStep(SecretOf(record), normalized, clock.GetUtcNow()) is { } step
                && await store.TryUseStepAsync(user.Id, step, cancellationToken)
            )
            {
                return TwoFactorOutcome.Passed;
            }
            await audit.RecordAsync(
                AuditActions.TwoFactorFailed,
                origin,
                cancellationToken,
                userId: user.Id,
                username: user.Username,
                detail: "wrong or reused code"
            );
            return TwoFactorOutcome.Failed;
        }
        if (
            recoveryCode!.Length <= 64
            && await store.TryUseRecoveryCodeAsync(
                user.Id,
                HashRecoveryCode(recoveryCode),
                clock.GetUtcNow(),
                cancellationToken
            )
        )
        {
            var left = await store.CountRecoveryCodesLeftAsync(user.Id, cancellationToken);
            await audit.RecordAsync(
                AuditActions.RecoveryCodeUsed,
                origin,
                cancellationToken,
                userId: user.Id,
                username: user.Username,
                detail: $"left={left}"
            );
            return TwoFactorOutcome.Passed;
        }
        await audit.RecordAsync(
            AuditActions.TwoFactorFailed,
            origin,
            cancellationToken,
            userId: user.Id,
            username: user.Username,
            detail: "wrong or used recovery code"
        );
        return TwoFactorOutcome.Failed;
    }

    private byte[] SecretOf(TwoFactorRecord record) =>
        Base32.Decode(box.Open(record.SealedSecret))
        ?? throw new InvalidOperationException("A stored TOTP secret is not base32.");

    private static string Normalize(string code) => code.Replace(" ", "", StringComparison.Ordinal).Trim();

    /// <summary>16 characters of a 32-letter alphabet in four groups: 80 bits, easy to read off paper.</summary>
    private static string NewRecoveryCode()
    {
        var raw = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz23456789", 16);
        return $"{raw[..4]}-{raw[4..8]}-{raw[8..12]}-{raw[12..]}";
    }

    // Case and dashes do not matter when the user types it back.
    private static string HashRecoveryCode(string code) =>
        Convert.ToHexStringLower(
            SHA256.HashData(
                Encoding.UTF8.GetBytes(
                    code.Replace("-", "", StringComparison.Ordinal)
                        .Replace(" ", "", StringComparison.Ordinal)
                        .Trim()
                        .ToLowerInvariant()
                )
            )
        );
}

public enum TwoFactorOutcome
{
    NotEnrolled,
    Missing,
    Failed,
    Passed,
}

public sealed record TwoFactorStatus(bool Enabled, DateTimeOffset? EnabledAt, bool Pending, int RecoveryCodesLeft);

/// <summary>What the user adds to their authenticator: the secret (base32) and the same as an otpauth:// URI for a QR
/// code.</summary>
public sealed record TwoFactorEnrolment(string Secret, string OtpauthUri);
