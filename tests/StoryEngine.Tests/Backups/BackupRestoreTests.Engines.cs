using System.Diagnostics;
using Npgsql;
using StoryEngine.Server.Backups;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Backups;

/// <summary>An empty database to restore into: the provider, and how the CLI is pointed at it.</summary>
public sealed record RestoreTarget(IStorageProvider Provider, string[] Args, Dictionary<string, string> Environment);

public sealed class BackupRestoreTests_Sqlite() : BackupRestoreTests(new SqliteServerFixture())
{
    [Fact]
    public async Task status_command_shows_the_age_and_outcome_of_the_last_backup()
    {
        var dataDir = ((SqliteServerFixture)Server).DataDir;
        var none = await CliProcess.RunAsync(["status", "--data-dir", dataDir]);
        Assert.Contains("backup:   none yet", none.Stdout, StringComparison.Ordinal);
        var (_, _, bytes) = await Server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(null, includeKeys: false, CancellationToken.None);

        var status = await CliProcess.RunAsync(["status", "--data-dir", dataDir]);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Matches($@"backup:   last \S+ \S+, {bytes:N0} bytes \(-?[0-9.:]+ ago\); schedule ", status.Stdout);
        var json = await CliProcess.RunAsync(["status", "--data-dir", dataDir, "--json"]);
        using var report = System.Text.Json.JsonDocument.Parse(json.Stdout);
        var last = report.RootElement.GetProperty("backup").GetProperty("last");
        Assert.True(last.GetProperty("succeeded").GetBoolean());
        Assert.Equal(bytes, last.GetProperty("bytes").GetInt64());
    }

    protected override Task<RestoreTarget> NewTargetAsync()
    {
        var folder = Path.Combine(Scratch, Guid.NewGuid().ToString("N"));
        return Task.FromResult(
            new RestoreTarget(
                new SqliteStorageProvider(Path.Combine(folder, "storyengine.db")),
                ["--data-dir", folder],
                []
            )
        );
    }

    // Every table and story log equals the database as the backup caught it: the SQLite copy it carries (the live
    // database has moved on, with the turns above and its background jobs).
    protected override async Task AssertEngineSpecificAsync(
        string path,
        BackupManifest manifest,
        DatabaseContent restored
    )
    {
        var snapshot = await DatabaseContent.ReadAsync(await DatabaseContent.SnapshotOfAsync(path, Scratch));
        Assert.Equal(snapshot.Tables, restored.Tables);
        Assert.Equal(
            snapshot.StoryLogs.ToDictionary(l => l.Key, l => DatabaseContent.Hash(l.Value)),
            restored.StoryLogs.ToDictionary(l => l.Key, l => DatabaseContent.Hash(l.Value))
        );
    }
}

/// <summary>
/// The same on PostgreSQL: the backup is read in one repeatable-read transaction, and carries pg_dump's archive
/// (scripts/test.sh installs Debian's PostgreSQL, which ships pg_dump and pg_restore).
/// </summary>
public sealed class BackupRestoreTests_Postgres() : BackupRestoreTests(new PostgresServerFixture())
{
    private readonly List<TestPostgres> _databases = [];
    private readonly List<PostgresStorageProvider> _providers = [];

    protected override async Task<RestoreTarget> NewTargetAsync()
    {
        var database = new TestPostgres();
        _databases.Add(database);
        var connectionString = await database.CreateAsync();
        var provider = new PostgresStorageProvider(connectionString);
        _providers.Add(provider);
        return new RestoreTarget(
            provider,
            ["--data-dir", Path.Combine(Scratch, Guid.NewGuid().ToString("N"))],
            new() { ["ConnectionStrings__Postgres"] = connectionString }
        );
    }

    protected override async Task AssertEngineSpecificAsync(
        string path,
        BackupManifest manifest,
        DatabaseContent restored
    )
    {
        Assert.Equal("postgres", manifest.Engine);
        Assert.Contains(manifest.Files, f => f.Entry == PgDump.Entry && f.Bytes > 0);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task pg_dump_archive_in_the_backup_restores_with_pg_restore_to_the_same_rows()
    {
        using var client = await Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I light the lamp.");
        await BackgroundJobs.SettleAsync(client, setup.AdventureId);
        var (path, _, _) = await Server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(Path.Combine(Scratch, "pg.backup.zip"), includeKeys: false, CancellationToken.None);

        var target = await NewTargetAsync();
        var dump = Path.Combine(Scratch, "pg_dump.custom");
        using (var archive = await BackupArchive.OpenAsync(path, CancellationToken.None))
        await using (var entry = archive.OpenFile(archive.Manifest.Files.Single(f => f.Entry == PgDump.Entry)))
        await using (var file = File.Create(dump))
        {
            await entry.CopyToAsync(file);
        }
        await PgRestoreAsync(dump, target.Environment["ConnectionStrings__Postgres"]);

        // Both the engine-neutral tables and pg_dump's archive hold what the (settled) live database holds.
        var live = await DatabaseContent.ReadAsync(Provider);
        var fromPgDump = await DatabaseContent.ReadAsync(target.Provider);
        var fromTables = await DatabaseContent.ReadAsync(await RestoreIntoNewAsync(path));
        Assert.Equal(live.Tables, fromPgDump.Tables);
        Assert.Equal(live.Tables, fromTables.Tables);
        Assert.Equal(
            DatabaseContent.Hash(live.StoryLogs[setup.AdventureId]),
            DatabaseContent.Hash(fromPgDump.StoryLogs[setup.AdventureId])
        );
    }

    private static async Task PgRestoreAsync(string dump, string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo("pg_restore")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Into the empty database as it is: no schema of ours yet, so pg_restore creates it all.
        foreach (var arg in new[] { "--no-owner", "--exit-on-error", "--dbname", target.Database!, dump })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PGHOST"] = target.Host;
        info.Environment["PGPORT"] = target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PGUSER"] = target.Username;
        if (target.Password is { Length: > 0 } password)
        {
            info.Environment["PGPASSWORD"] = password;
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, "pg_restore failed: " + await stderr);
    }

    public override async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
        foreach (var database in _databases)
        {
            await database.DropAsync();
        }
        await base.DisposeAsync();
    }
}
