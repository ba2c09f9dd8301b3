using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// Changing one's password. The current password is checked under the same brute-force throttle as sign-in: a
/// stolen access token must not become a way to guess it at API speed.
/// </summary>
public sealed class PasswordService(
    IUserStore users,
    ISessionStore sessions,
    PasswordHashing hashing,
    LoginThrottle throttle,
    ActiveSessions active,
    AuditTrail audit,
    TimeProvider clock
)
{
    /// <summary>Sets a new password and signs out every other session of the user; <paramref name="sessionId"/> stays
    /// signed in.</summary>
    public async Task ChangeAsync(
        string userId,
        string sessionId,
        string? currentPassword,
        string? newPassword,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        await throttle.EnsureAllowedAsync(user.Username, origin.Ip, cancellationToken);
        if (!PasswordHashing.Verify(currentPassword ?? "", user.PasswordHash))
        {
            await throttle.RecordFailureAsync(user.Username, origin.Ip, cancellationToken);
            await audit.RecordAsync(
                AuditActions.PasswordChangeFailed,
                origin,
                cancellationToken,
                userId: user.Id,
                username: user.Username,
                detail: "wrong current password"
            );
            throw ValidationFailedException.For("currentPassword", "currentPassword is wrong.");
        }
        var errors = new FieldErrors();
        PasswordPolicy.Check(errors, "newPassword", newPassword, user.Username);
        if (!errors.Any && newPassword == currentPassword)
        {
            errors.Add("newPassword", "newPassword must differ from the current password.");
        }
        errors.ThrowIfAny();

        await throttle.RecordSuccessAsync(user.Username, cancellationToken);
        await users.SetPasswordHashAsync(user.Id, hashing.Hash(newPassword!), cancellationToken);
        var revoked = await sessions.RevokeAllAsync(user.Id, sessionId, clock.GetUtcNow(), cancellationToken);
        active.ForgetUser(user.Id);
        await audit.RecordAsync(
            AuditActions.PasswordChanged,
            origin,
            cancellationToken,
            userId: user.Id,
            username: user.Username,
            detail: $"other sessions revoked={revoked}"
        );
    }
}
