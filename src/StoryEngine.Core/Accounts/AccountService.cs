using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.TwoFactor;

namespace StoryEngine.Core.Accounts;

/// <summary>Registration, sign-in and refresh. Tokens handed to clients are minted by the host; this owns the accounts
/// and sessions.</summary>
public sealed partial class AccountService(
    IUserStore users,
    ISessionStore sessions,
    PasswordHashing hashing,
    LoginThrottle throttle,
    ActiveSessions active,
    AuditTrail audit,
    TwoFactorService twoFactor,
    TimeProvider clock
)
{
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(30);

    // A hash of nothing in particular, so an unknown username costs as much time as a wrong password.
    private readonly Lazy<string> _decoyHash = new(() => hashing.Hash(Guid.NewGuid().ToString()));

    public Task<User> RegisterAsync(
        string? username,
        string? password,
        bool isAdmin,
        CancellationToken cancellationToken
    ) => RegisterAsync(username, password, isAdmin, RequestOrigin.Console, cancellationToken);

    public async Task<User> RegisterAsync(
        string? username,
        string? password,
        bool isAdmin,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(username))
        {
            errors.Add("username", "username is required.");
        }
        else if (!UsernamePattern().IsMatch(username))
        {
            errors.Add("username", "username must be 3 to 32 characters: letters, digits, '.', '_' or '-'.");
        }
        PasswordPolicy.Check(errors, "password", password, username);
        errors.ThrowIfAny();

        var user = new User(Ids.New(), username!, hashing.Hash(password!), isAdmin, clock.GetUtcNow());
        if (!await users.TryInsertAsync(user, cancellationToken))
        {
            throw new ConflictException($"The username '{username}' is taken.", "username_taken");
        }
        await audit.RecordAsync(
            AuditActions.AccountCreated,
            origin,
            cancellationToken,
            userId: user.Id,
            username: user.Username,
            detail: "role=" + user.Role
        );
        return user;
    }

    public Task<SignedIn> SignInAsync(
        string? username,
        string? password,
        RequestOrigin origin,
        CancellationToken cancellationToken
    ) => SignInAsync(username, password, null, null, origin, cancellationToken);

    /// <summary>
    /// Checks the credentials and opens a session. An unknown user and a wrong password get the same error after the
    /// same work; repeated failures make the caller wait (<see cref="LoginThrottle"/>). With two-factor sign-in on, a
    /// right password alone gets <c>two_factor_required</c> — said only after the password checked out, so it tells a
    /// guesser nothing the password did not (docs/adr/0012-two-factor-sign-in.md) — and a wrong code counts as a
    /// failure.
    /// </summary>
    public async Task<SignedIn> SignInAsync(
        string? username,
        string? password,
        string? code,
        string? recoveryCode,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await throttle.EnsureAllowedAsync(username, origin.Ip, cancellationToken);
        }
        catch (TooManyAttemptsException)
        {
            await audit.RecordAsync(AuditActions.LoginThrottled, origin, cancellationToken, username: username);
            throw;
        }
        var user = string.IsNullOrEmpty(username) ? null : await users.FindByUsernameAsync(username, cancellationToken);
        var valid = PasswordHashing.Verify(password ?? "", user?.PasswordHash ?? _decoyHash.Value);
        if (user is null || !valid)
        {
            await throttle.RecordFailureAsync(username, origin.Ip, cancellationToken);
            await audit.RecordAsync(
                AuditActions.LoginFailed,
                origin,
                cancellationToken,
                userId: user?.Id,
                username: username,
                detail: user is null ? "unknown username" : "wrong password"
            );
            throw new UnauthorizedException("The username or password is wrong.", "invalid_credentials");
        }
        if (user.DisabledAt is not null)
        {
            // Only someone who knows the password learns that the account is disabled.
            await audit.RecordAsync(
                AuditActions.LoginRefusedDisabled,
                origin,
                cancellationToken,
                userId: user.Id,
                username: username
            );
            throw new ForbiddenException(
                "This account is disabled. Ask the server's " + "administrator.",
                "account_disabled"
            );
        }
        switch (await twoFactor.CheckAsync(user, code, recoveryCode, origin, cancellationToken))
        {
            case TwoFactorOutcome.Missing:
                throw new UnauthorizedException(
                    "This account signs in with two factors: send the current code of "
                        + "your authenticator app as 'code', or an unused recovery code as 'recoveryCode'.",
                    "two_factor_required"
                );
            case TwoFactorOutcome.Failed:
                await throttle.RecordFailureAsync(username, origin.Ip, cancellationToken);
                throw new UnauthorizedException(
                    "The two-factor code is wrong, expired or already " + "used.",
                    "invalid_two_factor_code"
                );
        }
        await throttle.RecordSuccessAsync(username, cancellationToken);
        var refreshToken = NewRefreshToken();
        var now = clock.GetUtcNow();
        var session = new UserSession(
            Ids.New(),
            user.Id,
            HashToken(refreshToken),
            now,
            now + RefreshLifetime,
            null,
            now,
            origin.UserAgent,
            origin.Ip
        );
        await sessions.InsertAsync(session, cancellationToken);
        await audit.RecordAsync(
            AuditActions.LoginSucceeded,
            origin,
            cancellationToken,
            userId: user.Id,
            username: username,
            detail: "session=" + session.Id
        );
        return new SignedIn(user, session.Id, refreshToken);
    }

    /// <summary>
    /// Trades a refresh token for a new one (the old one stops working) and returns who it belongs to. A token that
    /// was already traded means two parties hold it, one of them probably a thief: the whole session is revoked
    /// (OAuth 2.0 Security BCP, RFC 9700 §4.14).
    /// </summary>
    public async Task<SignedIn> RefreshAsync(
        string? refreshToken,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var invalid = new UnauthorizedException(
            "The refresh token is unknown, expired or already used. Sign in " + "again.",
            "invalid_refresh_token"
        );
        if (string.IsNullOrEmpty(refreshToken) || refreshToken.Length > 200)
        {
            throw invalid;
        }
        var hash = HashToken(refreshToken);
        var session = await sessions.FindByRefreshTokenHashAsync(hash, cancellationToken);
        var now = clock.GetUtcNow();
        if (session is null)
        {
            if (await sessions.FindByRetiredTokenHashAsync(hash, cancellationToken) is { RevokedAt: null } reused)
            {
                await RevokeForReuseAsync(reused, origin, cancellationToken);
            }
            throw invalid;
        }
        if (session.RevokedAt is not null || session.ExpiresAt <= now)
        {
            throw invalid;
        }
        var user = await users.GetAsync(session.UserId, cancellationToken);
        if (user is null || user.DisabledAt is not null)
        {
            throw invalid;
        }
        var next = NewRefreshToken();
        if (
            !await sessions.RotateAsync(
                session.Id,
                hash,
                HashToken(next),
                now,
                now + RefreshLifetime,
                cancellationToken
            )
        )
        {
            // Someone traded this same token a moment ago: that is reuse too.
            await RevokeForReuseAsync(session, origin, cancellationToken);
            throw invalid;
        }
        return new SignedIn(user, session.Id, next);
    }

    private async Task RevokeForReuseAsync(
        UserSession session,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        if (await sessions.RevokeAsync(session.UserId, session.Id, clock.GetUtcNow(), cancellationToken))
        {
            active.Forget(session.Id);
            await audit.RecordAsync(
                AuditActions.RefreshReused,
                origin,
                cancellationToken,
                userId: session.UserId,
                detail: "session=" + session.Id
            );
        }
    }

    private static string NewRefreshToken() =>
        "rt_"
        + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // Refresh tokens are long random strings, so a fast hash is enough: there is nothing to brute-force.
    private static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [GeneratedRegex("^[A-Za-z0-9._-]{3,32}$")]
    private static partial Regex UsernamePattern();
}

/// <summary>The result of signing in or refreshing: the user, their session and the new refresh token (shown
/// once).</summary>
public sealed record SignedIn(User User, string SessionId, string RefreshToken);
