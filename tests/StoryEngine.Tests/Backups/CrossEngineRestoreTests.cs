using StoryEngine.Server.Backups;
using StoryEngine.Storage.Backups;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Backups;

/// <summary>The upgrade path: a SQLite backup restored into PostgreSQL (issue 16).</summary>
public sealed class CrossEngineRestoreTests : IAsyncLifetime
{
    private readonly SqliteServerFixture _server = new();
    private readonly TestPostgres _postgres = new();

    public Task InitializeAsync()
    {
        _server.ExtraSettings["Backups:Schedule"] = "off";
        return _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _postgres.DropAsync();
    }

    [Fact]
    public async Task sqlite_backup_restores_into_postgres_with_every_row_and_story_log()
    {
        using var client = await _server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        for (var i = 0; i < 5; i++)
        {
            await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"I open door {i}.");
        }
        var (path, _, _) = await _server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(null, includeKeys: false, CancellationToken.None);

        await using var postgres = new PostgresStorageProvider(await _postgres.CreateAsync());
        using var archive = await BackupArchive.OpenAsync(path, CancellationToken.None);
        var result = await new DatabaseRestore(postgres).RestoreAsync(
            archive,
            force: false,
            applyLaterMigrations: true,
            CancellationToken.None
        );

        // Compared with the database as the backup caught it (the SQLite copy the backup carries: the live one moves
        // on with its background jobs), over the columns both engines have (SQLite's memory_entries.id is its own;
        // PostgreSQL computes its tsvector), table by table and story log by story log.
        var snapshot = Path.Combine(
            Path.GetTempPath(),
            "storyengine-tests",
            Guid.NewGuid().ToString("N"),
            "storyengine.db"
        );
        Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
        await using (
            var copy = archive.OpenFile(archive.Manifest.Files.Single(f => f.Entry == DatabaseBackup.SqliteCopyEntry))
        )
        await using (var file = File.Create(snapshot))
        {
            await copy.CopyToAsync(file);
        }
        var columns = result.Tables.ToDictionary(t => t.Name, t => t.Columns, StringComparer.Ordinal);
        var source = await DatabaseContent.ReadAsync(new SqliteStorageProvider(snapshot), t =>
            columns.GetValueOrDefault(t)
        );
        var target = await DatabaseContent.ReadAsync(postgres, t => columns.GetValueOrDefault(t));
        foreach (var table in result.Tables)
        {
            Assert.True(
                source.Tables[table.Name] == target.Tables[table.Name],
                $"{table.Name} differs after the restore"
            );
        }
        Assert.Equal(["memory_scopes"], result.Skipped);
        Assert.True(source.StoryLogs[setup.AdventureId].Count >= 5, "the story log holds the turns taken");
        Assert.Equal(
            DatabaseContent.Hash(source.StoryLogs[setup.AdventureId]),
            DatabaseContent.Hash(target.StoryLogs[setup.AdventureId])
        );
    }
}
