using System.Data.Common;
using Dapper;

namespace StoryEngine.Storage.Migrations;

/// <summary>The state of one migration in one database.</summary>
public sealed record MigrationState(int Version, string Name, bool Applied, DateTimeOffset? AppliedAt);

/// <summary>What a run did, or would do with <c>dryRun</c>: each step with the SQL it runs.</summary>
public sealed record MigrationStep(int Version, string Name, string Direction, string Sql);

/// <summary>
/// Applies and reverts migrations. Each migration runs in its own transaction together with the row that
/// records it, so a failure leaves the database at the last good version.
/// </summary>
public sealed class MigrationRunner(IStorageProvider provider)
{
    private const string HistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )
        """;

    public int LatestVersion => provider.Migrations.Count == 0 ? 0 : provider.Migrations[^1].Version;

    public async Task<IReadOnlyList<MigrationState>> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var applied = await AppliedAsync(connection, cancellationToken);
        return provider
            .Migrations.Select(m => new MigrationState(
                m.Version,
                m.Name,
                applied.ContainsKey(m.Version),
                applied.TryGetValue(m.Version, out var at) ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null
            ))
            .ToArray();
    }

    /// <summary>The highest applied version (0 for an empty database).</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var applied = await AppliedAsync(connection, cancellationToken);
        return applied.Count == 0 ? 0 : applied.Keys.Max();
    }

    public Task<IReadOnlyList<MigrationStep>> UpAsync(bool dryRun, CancellationToken cancellationToken) =>
        UpToAsync(int.MaxValue, dryRun, cancellationToken);

    /// <summary>
    /// Applies pending migrations up to and including <paramref name="targetVersion"/>: a restore brings an empty
    /// database to the backup's schema first, loads the rows, and only then applies the later migrations (issue 16).
    /// </summary>
    public async Task<IReadOnlyList<MigrationStep>> UpToAsync(
        int targetVersion,
        bool dryRun,
        CancellationToken cancellationToken
    )
    {
        await provider.PrepareAsync(cancellationToken);
        await using var connection = await provider.OpenAsync(cancellationToken);
        await using var migrationLock = await provider.LockForMigrationAsync(connection, cancellationToken);
        var applied = await AppliedAsync(connection, cancellationToken);
        var steps = provider
            .Migrations.Where(m => !applied.ContainsKey(m.Version) && m.Version <= targetVersion)
            .Select(m => new MigrationStep(m.Version, m.Name, "up", m.Up))
            .ToArray();
        if (!dryRun)
        {
            foreach (var step in steps)
            {
                await RunAsync(connection, step, cancellationToken);
            }
        }
        return steps;
    }

    /// <summary>Reverts every applied migration above <paramref name="targetVersion"/>, newest first.</summary>
    public async Task<IReadOnlyList<MigrationStep>> DownAsync(
        int targetVersion,
        bool dryRun,
        CancellationToken cancellationToken
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);
        await using var connection = await provider.OpenAsync(cancellationToken);
        await using var migrationLock = await provider.LockForMigrationAsync(connection, cancellationToken);
        var applied = await AppliedAsync(connection, cancellationToken);
        var steps = provider
            .Migrations.Where(m => m.Version > targetVersion && applied.ContainsKey(m.Version))
            .OrderByDescending(m => m.Version)
            .Select(m => new MigrationStep(m.Version, m.Name, "down", m.Down))
            .ToArray();
        if (!dryRun)
        {
            foreach (var step in steps)
            {
                await RunAsync(connection, step, cancellationToken);
            }
        }
        return steps;
    }

    private static async Task RunAsync(DbConnection connection, MigrationStep step, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(step.Sql, transaction: transaction, cancellationToken: cancellationToken)
        );
        var record =
            step.Direction == "up"
                ? "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)"
                : "DELETE FROM schema_migrations WHERE version = @Version";
        await connection.ExecuteAsync(
            new CommandDefinition(
                record,
                new
                {
                    step.Version,
                    step.Name,
                    At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<Dictionary<int, long>> AppliedAsync(
        DbConnection connection,
        CancellationToken cancellationToken
    )
    {
        await connection.ExecuteAsync(new CommandDefinition(HistoryTable, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(long Version, long AppliedAt)>(
            new CommandDefinition(
                "SELECT version, applied_at FROM " + "schema_migrations",
                cancellationToken: cancellationToken
            )
        );
        return rows.ToDictionary(r => (int)r.Version, r => r.AppliedAt);
    }
}
