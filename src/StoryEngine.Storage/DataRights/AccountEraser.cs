using Dapper;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.DataRights;

namespace StoryEngine.Storage.DataRights;

/// <summary>
/// Erases an account in one transaction by convention over the live schema (docs/adr/0014-account-erasure.md), so a
/// table another feature adds later is covered as long as it names its owner the way every table here does:
/// rows whose <c>owner_id</c> or <c>user_id</c> is the account go, and so do rows whose <c>adventure_id</c>,
/// <c>world_id</c>, <c>character_id</c> or <c>session_id</c> names something the account owns. The audit log
/// forgets the account's entries and keeps those about others with the actor anonymised.
/// </summary>
public sealed class AccountEraser(IStorageProvider provider) : IAccountEraser
{
    /// <summary>What an erased actor becomes in audit entries about someone else.</summary>
    public const string ErasedActor = "erased";

    // Owned parents: a column of this name holds ids of rows the account owns in that table.
    private static readonly (string Column, string Parent, string ParentOwner)[] References =
    [
        ("adventure_id", "adventures", "owner_id"),
        ("world_id", "worlds", "owner_id"),
        ("character_id", "characters", "owner_id"),
        ("session_id", "user_sessions", "user_id"),
    ];

    private static readonly HashSet<string> Handled = new(StringComparer.Ordinal)
    {
        "users",
        "audit_log",
        "account_erasures",
        "schema_migrations",
    };

    public async Task EraseAsync(User user, AuditEntry deletionEntry, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = new { Id = user.Id, Key = user.Username.ToLowerInvariant() };

        Task Run(string sql) =>
            connection.ExecuteAsync(new CommandDefinition(sql, id, transaction, cancellationToken: cancellationToken));

        // The marker is what lets the audit log's trigger accept these changes; it leaves with the transaction.
        await Run("INSERT INTO account_erasures (user_id, username_key) VALUES (@Id, @Key)");
        await Run("DELETE FROM audit_log WHERE user_id = @Id OR (user_id IS NULL AND lower(username) = @Key)");
        // Kept for the other person's sake, without the actor's address and user agent: those were the erased person's.
        await Run(
            $"UPDATE audit_log SET actor_id = '{ErasedActor}', ip = NULL, user_agent = NULL WHERE actor_id = " + "@Id"
        );

        var tables = (await SchemaCatalog.ColumnsAsync(provider.Dialect, connection, transaction, cancellationToken))
            .Where(c => !Handled.Contains(c.Table))
            .GroupBy(c => c.Table, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.Select(c => c.Column).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal
            );

        // Children first, while their parents still say who owns them. The parents themselves go in the second pass
        // (by their owner column): deleting one here, say adventures by world_id, would orphan its children unseen.
        var parents = References.Select(r => r.Parent).ToHashSet(StringComparer.Ordinal);
        foreach (var (table, columns) in tables.Where(t => !parents.Contains(t.Key)))
        {
            foreach (var (column, parent, owner) in References)
            {
                if (columns.Contains(column))
                {
                    await Run($"DELETE FROM {table} WHERE {column} IN (SELECT id FROM {parent} WHERE {owner} = @Id)");
                }
            }
        }
        foreach (var (table, columns) in tables)
        {
            foreach (var column in new[] { "owner_id", "user_id" }.Where(columns.Contains))
            {
                await Run($"DELETE FROM {table} WHERE {column} = @Id");
            }
        }
        await Run("DELETE FROM users WHERE id = @Id");
        await Run("DELETE FROM account_erasures WHERE user_id = @Id");
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO audit_log (id, at, action, user_id, actor_id, username, ip, user_agent, detail) VALUES "
                    + "(@Id, @At, @Action, @UserId, NULL, NULL, NULL, NULL, NULL)",
                new
                {
                    deletionEntry.Id,
                    At = deletionEntry.At.ToUnixTimeMilliseconds(),
                    deletionEntry.Action,
                    deletionEntry.UserId,
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }
}
