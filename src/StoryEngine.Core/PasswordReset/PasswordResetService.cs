using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Secrets;

namespace StoryEngine.Core.PasswordReset;

/// <summary>
/// Password reset by one-time token (issue 4 §1). A request always looks the same from outside whether or not the
/// account exists; the token goes out by mail through the outbox, or the operator prints one with
/// <c>storyengine users reset-link</c>. A token works once, for <see cref="PasswordResetSettings.TokenLifetime"/>, and
/// is stored only as a hash. Using it sets the password (policy applies) and signs out every session.
/// </summary>
public sealed class PasswordResetService(
    IPasswordResetStore store,
    IOutbox outbox,
    IUserStore users,
    ISessionStore sessions,
    ActiveSessions active,
    PasswordHashing hashing,
    SecretBox box,
    AuditTrail audit,
    PasswordResetSettings settings,
    TimeProvider clock
)
{
    public const string MailKind = "password_reset";
    private const int MaxIdentifier = 320;

    /// <summary>Queues a reset mail when the name or address is a known, enabled account with an address; otherwise
    /// does nothing visible.</summary>
    public async Task RequestAsync(string? usernameOrEmail, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var identifier = usernameOrEmail?.Trim();
        if (string.IsNullOrEmpty(identifier))
        {
            throw ValidationFailedException.For("username", "Give your username or email address.");
        }
        if (identifier.Length > MaxIdentifier)
        {
            throw ValidationFailedException.For(
                "username",
                "That is longer than any username or address " + $"({MaxIdentifier} characters)."
            );
        }
        var user = identifier.Contains('@', StringComparison.Ordinal)
            ? await store.FindUserIdByEmailAsync(identifier, cancellationToken) is { } id
                ? await users.GetAsync(id, cancellationToken)
                : null
            : await users.FindByUsernameAsync(identifier, cancellationToken);
        var email = user is null ? null : await store.GetEmailAsync(user.Id, cancellationToken);
        string outcome;
        if (user is null)
        {
            outcome = "unknown account";
        }
        else if (user.DisabledAt is not null)
        {
            outcome = "account disabled";
        }
        else if (email is null)
        {
            outcome = "no email address; the operator can run storyengine users reset-link";
        }
        else
        {
            var token = await IssueAsync(user.Id, cancellationToken);
            var body =
                "Someone (hopefully you) asked to reset the password of the Story Engine account "
                + $"'{user.Username}'.\r\n\r\n"
                + $"Open this link within {settings.TokenLifetime.TotalMinutes:0} minutes to choose a new "
                + $"password:\r\n{settings.LinkFor(token)}\r\n\r\n"
                + "Or send the token yourself: POST /api/v1/auth/password-reset/confirm with "
                + $"{{\"token\": \"{token}\", \"newPassword\": \"...\"}}\r\n\r\n"
                + "If you did not ask for this, ignore this mail: your password stays as it is.\r\n";
            await outbox.EnqueueAsync(
                new OutboxMessage(
                    Ids.New(),
                    user.Id,
                    MailKind,
                    email,
                    "Reset your Story Engine password",
                    box.Seal(body),
                    clock.GetUtcNow()
                ),
                cancellationToken
            );
            outcome = "mail queued";
        }
        await audit.RecordAsync(
            AuditActions.PasswordResetRequested,
            origin,
            cancellationToken,
            userId: user?.Id,
            username: user?.Username ?? (identifier.Contains('@', StringComparison.Ordinal) ? null : identifier),
            detail: outcome
        );
    }

    /// <summary>A fresh link for the operator to hand over by other means (when no mail is configured).</summary>
    public async Task<IssuedReset> IssueLinkAsync(string username, CancellationToken cancellationToken)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken)
            ?? throw new NotFoundException("account", username);
        var token = await IssueAsync(user.Id, cancellationToken);
        await audit.RecordAsync(
            AuditActions.PasswordResetIssued,
            RequestOrigin.Console,
            cancellationToken,
            userId: user.Id,
            username: user.Username
        );
        return new IssuedReset(settings.LinkFor(token), token, settings.TokenLifetime);
    }

    public async Task ConfirmAsync(
        string? token,
        string? newPassword,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var invalid = new UnauthorizedException(
            "The reset token is unknown, expired or already used. Ask for a new " + "one.",
            "invalid_reset_token"
        );
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            throw invalid;
        }
        var hash = Hash(token);
        var now = clock.GetUtcNow();
        var user = await store.FindUsableAsync(hash, now, cancellationToken) is { } userId
            ? await users.GetAsync(userId, cancellationToken)
            : null;
        if (user is null || user.DisabledAt is not null)
        {
            await audit.RecordAsync(
                AuditActions.PasswordResetFailed,
                origin,
                cancellationToken,
                userId: user?.Id,
                detail: "unusable token"
            );
            throw invalid;
        }
        // The policy is checked before the token is spent, so a weak choice can be corrected with the same link.
        var errors = new FieldErrors();
        PasswordPolicy.Check(errors, "newPassword", newPassword, user.Username);
        errors.ThrowIfAny();
        if (!await store.TryUseAsync(hash, now, cancellationToken))
        {
            throw invalid;
        }
        await users.SetPasswordHashAsync(user.Id, hashing.Hash(newPassword!), cancellationToken);
        var revoked = await sessions.RevokeAllAsync(user.Id, null, now, cancellationToken);
        active.ForgetUser(user.Id);
        await audit.RecordAsync(
            AuditActions.PasswordResetCompleted,
            origin,
            cancellationToken,
            userId: user.Id,
            username: user.Username,
            detail: $"sessions revoked={revoked}"
        );
    }

    /// <summary>Sets or clears the address reset mail goes to. Needs the password: otherwise a stolen access token
    /// could redirect resets.</summary>
    public async Task SetEmailAsync(
        string userId,
        string? email,
        string? password,
        LoginThrottle throttle,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        var address = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        if (
            address is not null
            && (
                address.Length > MaxIdentifier
                || !System.Net.Mail.MailAddress.TryCreate(address, out var parsed)
                || parsed.Address != address
            )
        )
        {
            throw ValidationFailedException.For("email", "email must be a plain address such as ada@example.com.");
        }
        await throttle.EnsureAllowedAsync(user.Username, origin.Ip, cancellationToken);
        if (!PasswordHashing.Verify(password ?? "", user.PasswordHash))
        {
            await throttle.RecordFailureAsync(user.Username, origin.Ip, cancellationToken);
            throw ValidationFailedException.For("password", "password is wrong.");
        }
        if (
            address is not null
            && await store.FindUserIdByEmailAsync(address, cancellationToken) is { } other
            && other != userId
        )
        {
            throw new ConflictException("Another account uses that address.", "email_taken");
        }
        await store.SetEmailAsync(userId, address, cancellationToken);
    }

    public Task<string?> GetEmailAsync(string userId, CancellationToken cancellationToken) =>
        store.GetEmailAsync(userId, cancellationToken);

    private async Task<string> IssueAsync(string userId, CancellationToken cancellationToken)
    {
        var token =
            "pr_"
            + Convert
                .ToBase64String(RandomNumberGenerator.GetBytes(32))
                .TrimEnd('=')
                .Replace('+', '-')
                .Replace('/', '_');
        var now = clock.GetUtcNow();
        await store.InsertTokenAsync(Hash(token), userId, now, now + settings.TokenLifetime, cancellationToken);
        return token;
    }

    // The token is 256 random bits: a fast hash is enough, as for refresh tokens.
    private static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>A reset the operator hands over: the link, the bare token inside it, and how long it works.</summary>
public sealed record IssuedReset(string Link, string Token, TimeSpan Lifetime);
