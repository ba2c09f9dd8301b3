using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.DataRights;

/// <summary>A user's rights over their data (issue 4): a copy of everything they own, and erasure of all of
/// it.</summary>
public sealed class AccountDataRights(
    IUserStore users,
    IAccountArchive archive,
    IAccountEraser eraser,
    IEnumerable<IDeletionConfirmation> confirmations,
    ActiveSessions active,
    LoginThrottle throttle,
    TierDirectory tiers,
    AuditTrail audit,
    TimeProvider clock
)
{
    /// <summary>The account, for a caller about to stream its export (so a missing account is a 404 before any byte is
    /// sent).</summary>
    public async Task<User> BeginExportAsync(string userId, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        await audit.RecordAsync(
            AuditActions.AccountExported,
            origin,
            cancellationToken,
            userId: user.Id,
            username: user.Username
        );
        return user;
    }

    public Task WriteExportAsync(User user, Stream output, CancellationToken cancellationToken) =>
        archive.WriteAsync(user, output, cancellationToken);

    /// <summary>
    /// Erases the account after checking its password (and every <see cref="IDeletionConfirmation"/>). Its tokens stop
    /// working at once on this node. The audit entry that records it keeps the account's id and nothing else personal.
    /// </summary>
    public async Task DeleteAsync(
        string userId,
        DeletionRequest request,
        RequestOrigin origin,
        CancellationToken cancellationToken
    )
    {
        var user = await users.GetAsync(userId, cancellationToken) ?? throw new NotFoundException("user", userId);
        if (string.IsNullOrEmpty(request.Password))
        {
            throw ValidationFailedException.For("password", "password is required to delete your account.");
        }
        // The same throttle as sign-in: a stolen access token must not become a way to guess the password.
        await throttle.EnsureAllowedAsync(user.Username, origin.Ip, cancellationToken);
        if (!PasswordHashing.Verify(request.Password, user.PasswordHash))
        {
            await throttle.RecordFailureAsync(user.Username, origin.Ip, cancellationToken);
            throw ValidationFailedException.For("password", "password is wrong.");
        }
        foreach (var confirmation in confirmations)
        {
            await confirmation.ConfirmAsync(user, request, cancellationToken);
        }
        // No address or user agent: they are the deleted person's data too.
        var entry = new AuditEntry(
            Ids.New(),
            clock.GetUtcNow(),
            AuditActions.AccountDeleted,
            user.Id,
            null,
            null,
            null,
            null,
            null
        );
        await eraser.EraseAsync(user, entry, cancellationToken);
        active.ForgetUser(user.Id);
        tiers.Forget(user.Id);
    }
}
