using StoryEngine.Core.Accounts;

namespace StoryEngine.Core.DataRights;

/// <summary>Writes everything an account owns as one JSON document, reading page by page so it never sits in memory
/// whole.</summary>
public interface IAccountArchive
{
    Task WriteAsync(User user, Stream output, CancellationToken cancellationToken);
}

/// <summary>
/// Removes an account and every row it owns in one transaction, and appends <c>deletionEntry</c> to the audit log in
/// that same transaction (docs/adr/0014-account-erasure.md).
/// </summary>
public interface IAccountEraser
{
    Task EraseAsync(User user, Audit.AuditEntry deletionEntry, CancellationToken cancellationToken);
}

/// <summary>
/// A check that must pass before an account is erased, beyond its password. The two-factor code is one: a
/// TOTP service registers an implementation that refuses a missing or wrong <see cref="DeletionRequest.TwoFactorCode"/>
/// for accounts that have two-factor sign-in on.
/// </summary>
public interface IDeletionConfirmation
{
    Task ConfirmAsync(User user, DeletionRequest request, CancellationToken cancellationToken);
}

/// <summary>What the user sent to confirm <c>DELETE /api/v1/me</c>.</summary>
public sealed record DeletionRequest(string? Password, string? TwoFactorCode);
