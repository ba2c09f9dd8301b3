using Dapper;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Storage.Scenarios;

/// <summary>Share links in <c>scenario_shares</c> (migration 0020).</summary>
public sealed class ScenarioShareStore(IStorageProvider provider) : IScenarioShareStore
{
    private const string Columns =
        "id AS Id, token_hash AS TokenHash, scenario_id AS ScenarioId, owner_id AS OwnerId, password_hash AS "
        + "PasswordHash, expires_at AS ExpiresAt, revoked_at AS RevokedAt, created_at AS CreatedAt";

    public async Task InsertAsync(ScenarioShare share, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO scenario_shares (id, token_hash, scenario_id, owner_id, password_hash, expires_at, "
                    + "revoked_at, created_at) VALUES (@Id, @TokenHash, @ScenarioId, @OwnerId, @PasswordHash, "
                    + "@ExpiresAt, NULL, @CreatedAt)",
                new
                {
                    share.Id,
                    share.TokenHash,
                    share.ScenarioId,
                    share.OwnerId,
                    share.PasswordHash,
                    ExpiresAt = share.ExpiresAt?.ToUnixTimeMilliseconds(),
                    CreatedAt = share.CreatedAt.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<ScenarioShare?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM scenario_shares WHERE token_hash = @TokenHash",
                new { TokenHash = tokenHash },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToShare();
    }

    public async Task<IReadOnlyList<ScenarioShare>> ListAsync(
        string ownerId,
        string scenarioId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM scenario_shares WHERE owner_id = @OwnerId AND scenario_id = @ScenarioId "
                    + "ORDER BY id",
                new { OwnerId = ownerId, ScenarioId = scenarioId },
                cancellationToken: cancellationToken
            )
        );
        return [.. rows.Select(r => r.ToShare())];
    }

    public async Task<bool> RevokeAsync(
        string ownerId,
        string id,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE scenario_shares SET revoked_at = @At WHERE id = @Id AND owner_id = @OwnerId AND "
                        + "revoked_at IS NULL",
                    new
                    {
                        Id = id,
                        OwnerId = ownerId,
                        At = at.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    private sealed record Row(
        string Id,
        string TokenHash,
        string ScenarioId,
        string OwnerId,
        string? PasswordHash,
        long? ExpiresAt,
        long? RevokedAt,
        long CreatedAt
    )
    {
        public ScenarioShare ToShare() =>
            new(
                Id,
                TokenHash,
                ScenarioId,
                OwnerId,
                PasswordHash,
                ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
                RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt)
            );
    }
}
