using System.Text.Json;
using Dapper;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;
using StoryEngine.Storage.Documents;

namespace StoryEngine.Storage.Scenarios;

/// <summary>Versions of scenarios in <c>scenario_versions</c> (migration 0020), the body as JSON.</summary>
public sealed class ScenarioVersionStore(IStorageProvider provider) : IScenarioVersionStore
{
    public async Task<int> AppendIfChangedAsync(
        string ownerId,
        string scenarioId,
        Scenario body,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        var json = JsonSerializer.Serialize(body, StorageJson.Options);
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var newest = await connection.QuerySingleOrDefaultAsync<(long Number, string Body)?>(
            new CommandDefinition(
                "SELECT CAST(number AS BIGINT) AS Number, body AS Body FROM scenario_versions "
                    + "WHERE scenario_id = @ScenarioId AND owner_id = @OwnerId ORDER BY number DESC LIMIT 1",
                new { ScenarioId = scenarioId, OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
        if (newest is { } last && last.Body == json)
        {
            return (int)last.Number;
        }
        var number = (int)(newest?.Number ?? 0) + 1;
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO scenario_versions (scenario_id, number, owner_id, body, created_at) VALUES "
                    + "(@ScenarioId, @Number, @OwnerId, @Body, @At)",
                new
                {
                    ScenarioId = scenarioId,
                    Number = number,
                    OwnerId = ownerId,
                    Body = json,
                    At = at.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
        return number;
    }

    public async Task<ScenarioVersion?> GetAsync(
        string ownerId,
        string scenarioId,
        int number,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM scenario_versions WHERE scenario_id = @ScenarioId AND owner_id = @OwnerId "
                    + "AND number = @Number",
                new
                {
                    ScenarioId = scenarioId,
                    OwnerId = ownerId,
                    Number = number,
                },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToVersion();
    }

    public async Task<IReadOnlyList<ScenarioVersion>> ListAsync(
        string ownerId,
        string scenarioId,
        int? beforeNumber,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM scenario_versions WHERE scenario_id = @ScenarioId AND owner_id = @OwnerId "
                    + "AND number < @Before ORDER BY number DESC LIMIT @Limit",
                new
                {
                    ScenarioId = scenarioId,
                    OwnerId = ownerId,
                    Before = beforeNumber ?? int.MaxValue,
                    Limit = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return [.. rows.Select(r => r.ToVersion())];
    }

    public async Task<int> LatestNumberAsync(string ownerId, string scenarioId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return (int)(
            await connection.ExecuteScalarAsync<long?>(
                new CommandDefinition(
                    "SELECT CAST(MAX(number) AS BIGINT) FROM scenario_versions WHERE scenario_id = @ScenarioId "
                        + "AND owner_id = @OwnerId",
                    new { ScenarioId = scenarioId, OwnerId = ownerId },
                    cancellationToken: cancellationToken
                )
            ) ?? 0
        );
    }

    public async Task<IReadOnlyList<ResourceSummary>> ListTemplatesAsync(
        string ownerId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        // The flag lives in the JSON body, written by System.Text.Json in one form ("template":true), so a LIKE finds
        // it the same way on both engines; the body is then read to be sure.
        var rows = await connection.QueryAsync<(
            string Id,
            string ParentId,
            string Body,
            long Version,
            long CreatedAt,
            long UpdatedAt
        )>(
            new CommandDefinition(
                "SELECT s.id, s.parent_id, s.body, s.version, s.created_at, s.updated_at FROM scenarios s "
                    + "JOIN worlds w ON w.id = s.parent_id AND w.deleted_at IS NULL "
                    + "WHERE s.owner_id = @OwnerId AND s.deleted_at IS NULL AND s.body LIKE '%\"template\":true%' "
                    + "ORDER BY s.id LIMIT 200",
                new { OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
        return
        [
            .. rows.Select(r => (r, Body: JsonSerializer.Deserialize<Scenario>(r.Body, StorageJson.Options)!))
                .Where(x => x.Body.Template)
                .Select(x => new ResourceSummary(
                    x.r.Id,
                    x.r.ParentId,
                    x.Body.Name,
                    x.Body.Tags,
                    ResourceSummary.Shorten(x.Body.Description),
                    x.r.Version,
                    DateTimeOffset.FromUnixTimeMilliseconds(x.r.CreatedAt),
                    DateTimeOffset.FromUnixTimeMilliseconds(x.r.UpdatedAt),
                    null
                )),
        ];
    }

    public async Task<string?> WorldOfAsync(string ownerId, string scenarioId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(
            new CommandDefinition(
                "SELECT parent_id FROM scenarios WHERE id = @Id AND owner_id = @OwnerId",
                new { Id = scenarioId, OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
    }

    /// <summary>Removes the versions and share links of scenarios that no longer exist (purged from the
    /// trash).</summary>
    public async Task<int> PurgeOrphansAsync(CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var purged = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM scenario_versions WHERE NOT EXISTS (SELECT 1 FROM scenarios s WHERE s.id = "
                    + "scenario_versions.scenario_id)",
                cancellationToken: cancellationToken
            )
        );
        return purged
            + await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM scenario_shares WHERE NOT EXISTS (SELECT 1 FROM scenarios s WHERE s.id = "
                        + "scenario_shares.scenario_id)",
                    cancellationToken: cancellationToken
                )
            );
    }

    private const string Columns =
        "scenario_id AS ScenarioId, CAST(number AS BIGINT) AS Number, body AS Body, created_at AS CreatedAt";

    private sealed record Row(string ScenarioId, long Number, string Body, long CreatedAt)
    {
        public ScenarioVersion ToVersion() =>
            new(
                ScenarioId,
                (int)Number,
                JsonSerializer.Deserialize<Scenario>(Body, StorageJson.Options)!,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt)
            );
    }
}
