using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// What an admin (over the API) or the operator (over the CLI, <paramref name="actorId"/> null) does to accounts.
/// Who may call these is the host's authorization policy, not this class.
/// </summary>
public sealed class UserAdministration(
    IUserStore users,
    ISessionStore sessions,
    ActiveSessions active,
    AuditTrail audit,
    TimeProvider clock
)
{
    public Task<Page<User>> ListAsync(ListQuery query, CancellationToken cancellationToken) =>
        users.ListAsync(query, cancellationToken);

    public async Task<User> GetAsync(string userId, CancellationToken cancellationToken) =>
        await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);

    /// <summary>The account can no longer sign in; its sessions are revoked, so its tokens stop working too.</summary>
    public async Task<User> DisableAsync(
        string? actorId,
        string userId,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await GetAsync(userId, cancellationToken);
        if (actorId == userId)
        {
            throw new ConflictException(
                "You cannot disable your own account; ask another " + "admin.",
                "cannot_change_self"
            );
        }
        if (user.DisabledAt is not null)
        {
            return user;
        }
        var now = clock.GetUtcNow();
        await users.SetDisabledAsync(userId, now, cancellationToken);
        var revoked = await sessions.RevokeAllAsync(userId, null, now, cancellationToken);
        active.ForgetUser(userId);
        await audit.RecordAsync(
            AuditActions.UserDisabled,
            origin,
            cancellationToken,
            userId: userId,
            actorId: actorId,
            username: user.Username,
            detail: $"sessions revoked={revoked}"
        );
        return user with { DisabledAt = now };
    }

    /// <summary>The account may sign in again (its old sessions stay revoked).</summary>
    public async Task<User> EnableAsync(
        string? actorId,
        string userId,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await GetAsync(userId, cancellationToken);
        if (user.DisabledAt is null)
        {
            return user;
        }
        await users.SetDisabledAsync(userId, null, cancellationToken);
        active.ForgetUser(userId);
        await audit.RecordAsync(
            AuditActions.UserEnabled,
            origin,
            cancellationToken,
            userId: userId,
            actorId: actorId,
            username: user.Username
        );
        return user with { DisabledAt = null };
    }

    /// <summary>Makes the account an admin or a user. The change applies to its live sessions within seconds (<see
    /// cref="ActiveSessions"/>).</summary>
    public async Task<User> SetRoleAsync(
        string? actorId,
        string userId,
        string? role,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        if (role is not (Roles.Admin or Roles.User))
        {
            throw ValidationFailedException.For("role", $"role must be '{Roles.Admin}' or '{Roles.User}'.");
        }
        var user = await GetAsync(userId, cancellationToken);
        if (actorId == userId)
        {
            throw new ConflictException("You cannot change your own role; ask another admin.", "cannot_change_self");
        }
        var isAdmin = role == Roles.Admin;
        if (user.IsAdmin == isAdmin)
        {
            return user;
        }
        await users.SetAdminAsync(userId, isAdmin, cancellationToken);
        active.ForgetUser(userId);
        await audit.RecordAsync(
            AuditActions.RoleChanged,
            origin,
            cancellationToken,
            userId: userId,
            actorId: actorId,
            username: user.Username,
            detail: $"{user.Role}->{role}"
        );
        return user with { IsAdmin = isAdmin };
    }
}
