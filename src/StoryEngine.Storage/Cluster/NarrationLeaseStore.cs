using Dapper;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Storage.Cluster;

/// <summary>The narration leases as rows (docs/adr/0047-narration-leases-and-the-relay.md): one upsert takes a free or
/// expired lease, one update per node renews all of its leases.</summary>
public sealed class NarrationLeaseStore(IStorageProvider provider) : INarrationLeases
{
    private const string Columns =
        "adventure_id AS AdventureId, turn_id AS TurnId, alternative AS Alternative, owner_id AS OwnerId, "
        + "node_id AS NodeId, expires_at AS ExpiresAt, finished_at AS FinishedAt";

    public async Task<bool> TryTakeAsync(NarrationLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        // The row is taken when there is none, or when the one there expired; a live lease makes the update a no-op.
        var taken = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO narration_leases (adventure_id, turn_id, alternative, owner_id, node_id, expires_at) "
                    + "VALUES (@AdventureId, @TurnId, @Alternative, @OwnerId, @NodeId, @ExpiresAt) "
                    + "ON CONFLICT (adventure_id) DO UPDATE SET turn_id = excluded.turn_id, "
                    + "alternative = excluded.alternative, owner_id = excluded.owner_id, node_id = excluded.node_id, "
                    + "expires_at = excluded.expires_at, finished_at = NULL "
                    + "WHERE narration_leases.expires_at < @Now OR narration_leases.finished_at IS NOT NULL "
                    // this node's own: its registry has just let the turn begin, so no narration here holds it
                    // (a lease whose release failed in a database outage)
                    + "OR narration_leases.node_id = @NodeId",
                new
                {
                    lease.AdventureId,
                    lease.TurnId,
                    lease.Alternative,
                    lease.OwnerId,
                    lease.NodeId,
                    ExpiresAt = lease.ExpiresAt.ToUnixTimeMilliseconds(),
                    Now = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
        return taken == 1;
    }

    public async Task<int> RenewAsync(string nodeId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE narration_leases SET expires_at = @Until WHERE node_id = @NodeId AND finished_at IS NULL",
                new { NodeId = nodeId, Until = until.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task ReleaseAsync(
        string adventureId,
        string turnId,
        string nodeId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE narration_leases SET finished_at = @Now WHERE adventure_id = @AdventureId "
                    + "AND turn_id = @TurnId AND node_id = @NodeId AND finished_at IS NULL",
                new
                {
                    AdventureId = adventureId,
                    TurnId = turnId,
                    NodeId = nodeId,
                    Now = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task PurgeFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM narration_leases WHERE finished_at < @Before",
                new { Before = before.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<NarrationLease?> FindAsync(string adventureId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM narration_leases WHERE adventure_id = @AdventureId",
                new { AdventureId = adventureId },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToLease();
    }

    public async Task<IReadOnlyList<NarrationLease>> ListExpiredAsync(
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM narration_leases WHERE expires_at < @Now AND finished_at IS NULL "
                    + "ORDER BY expires_at LIMIT 100",
                new { Now = now.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToLease()).ToArray();
    }

    public async Task DeleteExpiredAsync(NarrationLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM narration_leases WHERE adventure_id = @AdventureId AND turn_id = @TurnId "
                    + "AND node_id = @NodeId AND expires_at < @Now AND finished_at IS NULL",
                new
                {
                    lease.AdventureId,
                    lease.TurnId,
                    lease.NodeId,
                    Now = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    private sealed class Row
    {
        public string AdventureId { get; init; } = "";
        public string TurnId { get; init; } = "";
        public long Alternative { get; init; }
        public string OwnerId { get; init; } = "";
        public string NodeId { get; init; } = "";
        public long ExpiresAt { get; init; }
        public long? FinishedAt { get; init; }

        public NarrationLease ToLease() =>
            new(
                AdventureId,
                TurnId,
                (int)Alternative,
                OwnerId,
                NodeId,
                DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt),
                FinishedAt is { } finished ? DateTimeOffset.FromUnixTimeMilliseconds(finished) : null
            );
    }
}
