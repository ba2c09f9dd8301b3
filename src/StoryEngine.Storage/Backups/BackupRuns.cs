using Dapper;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// The claims on scheduled backup slots (table <c>backup_runs</c>): the first node to insert a slot takes that
/// backup, every other node sees the row and skips. A claim is one insert in the shared database, so it holds across
/// nodes with separate backup folders and whatever the nodes' timing; a node that dies after claiming leaves that one
/// slot without a backup, and the next slot is claimed afresh.
/// </summary>
public sealed class BackupRuns(IStorageProvider provider)
{
    /// <summary>Claims are kept this long, then pruned: long enough to see which node took which backup.</summary>
    public static readonly TimeSpan KeepClaims = TimeSpan.FromDays(30);

    /// <summary>True when this node now holds <paramref name="slot"/>; false when another node claimed it
    /// first.</summary>
    public async Task<bool> TryClaimAsync(
        DateTimeOffset slot,
        string node,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var inserted = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO backup_runs (slot, node, claimed_at) VALUES (@Slot, @Node, @At) "
                    + "ON CONFLICT (slot) DO NOTHING",
                new
                {
                    Slot = slot.ToUnixTimeMilliseconds(),
                    Node = node,
                    At = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
        if (inserted == 1)
        {
            await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM backup_runs WHERE slot < @Cutoff",
                    new { Cutoff = (slot - KeepClaims).ToUnixTimeMilliseconds() },
                    cancellationToken: cancellationToken
                )
            );
        }
        return inserted == 1;
    }

    /// <summary>Which node claimed <paramref name="slot"/>, or null when none did.</summary>
    public async Task<string?> ClaimedByAsync(DateTimeOffset slot, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(
            new CommandDefinition(
                "SELECT node FROM backup_runs WHERE slot = @Slot",
                new { Slot = slot.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }
}
