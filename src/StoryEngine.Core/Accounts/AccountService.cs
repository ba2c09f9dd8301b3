using StoryEngine.Core.Resources;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Accounts;

/// <summary>Registration, sign-in and refresh. Tokens handed to clients are minted by the host; this owns the accounts and sessions.</summary>
public sealed partial class AccountService(IUserStore users, ISessionStore sessions, PasswordHashing hashing, TimeProvider clock)
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 1024;
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(30);

    // A hash of nothing in particular, so an unknown username costs as much time as a wrong password.
    private readonly Lazy<string> _decoyHash = new(() => hashing.Hash(Guid.NewGuid().ToString()));

    public async Task<User> RegisterAsync(string? username, string? password, bool isAdmin, CancellationToken cancellationToken)
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
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            errors.Add("password", $"password must be at least {MinPasswordLength} characters.");
        }
        else if (password.Length > MaxPasswordLength)
        {
            errors.Add("password", $"password must be at most {MaxPasswordLength} characters.");
        }
        else if (string.Equals(password, username, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("password", "password must not be the username.");
        }
        errors.ThrowIfAny();

        var user = new User(Ids.New(), username!, hashing.Hash(password!), isAdmin, clock.GetUtcNow());
        if (!await users.TryInsertAsync(user, cancellationToken))
        {
            throw new ConflictException($"The username '{username}' is taken.", "username_taken");
        }
        return user;
    }

    /// <summary>Checks the credentials and opens a session. The same error for an unknown user and a wrong password.</summary>
    public async Task<SignedIn> SignInAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrEmpty(username) ? null : await users.FindByUsernameAsync(username, cancellationToken);
        var valid = PasswordHashing.Verify(password ?? "", user?.PasswordHash ?? _decoyHash.Value);
        if (user is null || !valid)
        {
            throw new UnauthorizedException("The username or password is wrong.", "invalid_credentials");
        }
        var refreshToken = NewRefreshToken();
        var now = clock.GetUtcNow();
        var session = new UserSession(Ids.New(), user.Id, HashToken(refreshToken), now, now + RefreshLifetime, null);
        await sessions.InsertAsync(session, cancellationToken);
        return new SignedIn(user, session.Id, refreshToken);
    }

    /// <summary>Trades a refresh token for a new one (the old one stops working) and returns who it belongs to.</summary>
    public async Task<SignedIn> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        var invalid = new UnauthorizedException("The refresh token is unknown, expired or already used. Sign in again.", "invalid_refresh_token");
        if (string.IsNullOrEmpty(refreshToken) || refreshToken.Length > 200)
        {
            throw invalid;
        }
        var hash = HashToken(refreshToken);
        var session = await sessions.FindByRefreshTokenHashAsync(hash, cancellationToken);
        var now = clock.GetUtcNow();
        if (session is null || session.RevokedAt is not null || session.ExpiresAt <= now)
        {
            throw invalid;
        }
        var user = await users.GetAsync(session.UserId, cancellationToken) ?? throw invalid;
        var next = NewRefreshToken();
        if (!await sessions.RotateAsync(session.Id, hash, HashToken(next), now + RefreshLifetime, cancellationToken))
        {
            throw invalid;
        }
        return new SignedIn(user, session.Id, next);
    }

    private static string NewRefreshToken() => "rt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // Refresh tokens are long random strings, so a fast hash is enough: there is nothing to brute-force.
    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [GeneratedRegex("^[A-Za-z0-9._-]{3,32}$")]
    private static partial Regex UsernamePattern();
}

/// <summary>The result of signing in or refreshing: the user, their session and the new refresh token (shown once).</summary>
public sealed record SignedIn(User User, string SessionId, string RefreshToken);
