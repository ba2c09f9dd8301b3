using System.Net;
using StoryEngine.Server.Backups;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;
using StoryEngine.Storage.Migrations;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Backups;

/// <summary>Backups of a live server of either engine, restored into fresh databases of the same engine
/// (issue 16).</summary>
public abstract class BackupRestoreTests(ServerFixture server) : IAsyncLifetime
{
    private readonly ServerFixture _server = server;
    private readonly string _scratch = Path.Combine(
        Path.GetTempPath(),
        "storyengine-tests",
        "backup-" + Guid.NewGuid().ToString("N")
    );

    /// <summary>A folder of this test's own, deleted at the end.</summary>
    protected string Scratch => _scratch;

    protected ServerFixture Server => _server;

    /// <summary>A new, empty database of this engine; the CLI finds it with <see cref="RestoreTarget.Args"/> and
    /// <see cref="RestoreTarget.Environment"/>.</summary>
    protected abstract Task<RestoreTarget> NewTargetAsync();

    /// <summary>What else the engine's backup of a live server must show (the SQLite copy, pg_dump's
    /// archive).</summary>
    protected abstract Task AssertEngineSpecificAsync(string path, BackupManifest manifest, DatabaseContent restored);

    public Task InitializeAsync()
    {
        _server.ExtraSettings["Backups:Schedule"] = "off";
        return _server.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    [Fact]
    public async Task backup_taken_while_turns_are_written_restores_every_table_and_story_log()
    {
        using var client = await _server.CreateUserClientAsync();
        var adventures = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var setup = await AdventureTestData.CreateAsync(client);
            adventures.Add(setup.AdventureId);
            await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I look around.");
        }
        using var stop = new CancellationTokenSource();
        var writers = adventures
            .Select(id =>
                Task.Run(async () =>
                {
                    var n = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        await AdventureTestData.TakeTurnAsync(client, id, $"step {n++}");
                    }
                    return n;
                })
            )
            .ToArray();
        await Task.Delay(300);

        var backups = _server.Services.GetRequiredService<BackupService>();
        var (path, manifest, _) = await backups.TakeAsync(
            Path.Combine(_scratch, "live.backup.zip"),
            includeKeys: false,
            CancellationToken.None
        );
        await Task.Delay(300);
        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(writers), n => Assert.True(n > 0, "turns were written while the backup ran"));

        var restored = await RestoreIntoNewAsync(path);
        var source = await DatabaseContent.ReadAsync(Provider);
        var copy = await DatabaseContent.ReadAsync(restored);
        foreach (var table in manifest.Tables)
        {
            Assert.Equal(
                table.Rows,
                long.Parse(copy.Tables[table.Name].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)
            );
        }
        // A consistent snapshot: each story log restored is exactly the first part of the live one, without gaps.
        Assert.Equal(adventures.Order(), copy.StoryLogs.Keys.Order());
        foreach (var (adventure, log) in copy.StoryLogs)
        {
            Assert.Equal(DatabaseContent.Hash(source.StoryLogs[adventure].Take(log.Count)), DatabaseContent.Hash(log));
            Assert.Equal(
                Enumerable.Range(1, log.Count).Select(i => (long)i),
                log.Select(l => long.Parse(l.Split('|')[0], System.Globalization.CultureInfo.InvariantCulture))
            );
        }

        await AssertEngineSpecificAsync(path, manifest, copy);

        using var verify = await BackupArchive.OpenAsync(path, CancellationToken.None);
        Assert.Empty(
            (
                await _server.Services.GetRequiredService<BackupVerifier>().VerifyAsync(verify, CancellationToken.None)
            ).Differences
        );
    }

    [Fact]
    public async Task last_backup_shows_in_health_and_the_admin_api()
    {
        var (path, _, bytes) = await _server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(null, includeKeys: false, CancellationToken.None);
        // Anyone sees the status; only an admin sees the description (issue 15: nothing disclosed to strangers).
        using var anonymous = _server.CreateClient();
        var health = await (await anonymous.GetAsync("/health")).JsonAsync();
        var component = health.GetProperty("components").GetProperty("backups");
        Assert.Equal("up", component.Str("status"));
        Assert.True(
            !component.TryGetProperty("description", out var hidden)
                || hidden.ValueKind == System.Text.Json.JsonValueKind.Null
        );

        using var admin = await _server.CreateAccountAsync(admin: true);
        var detailed = await (await admin.Client.GetAsync("/health")).JsonAsync();
        var described = detailed.GetProperty("components").GetProperty("backups");
        Assert.Contains($"{bytes:N0} bytes", described.Str("description"), StringComparison.Ordinal);
        var list = await (await admin.Client.GetAsync("/api/v1/admin/backups")).JsonAsync();
        Assert.Contains(list.GetProperty("backups").EnumerateArray(), b => b.Str("file") == Path.GetFileName(path));
        Assert.True(list.GetProperty("last").GetProperty("succeeded").GetBoolean());
        using var user = await _server.CreateAccountAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync("/api/v1/admin/backups")).StatusCode);
    }

    [Theory]
    [InlineData("flipped byte")]
    [InlineData("truncated")]
    [InlineData("manifest edited")]
    public async Task corrupted_backup_is_refused_with_a_clear_message(string damage)
    {
        using var client = await _server.CreateUserClientAsync();
        await AdventureTestData.CreateAsync(client);
        var (path, _, _) = await _server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(Path.Combine(_scratch, "good.backup.zip"), includeKeys: false, CancellationToken.None);
        var bad = Path.Combine(_scratch, "bad.backup.zip");
        await BackupDamage.ApplyAsync(path, bad, damage);

        var target = await NewTargetAsync();
        var restore = await CliProcess.RunAsync(["restore", bad, .. target.Args], target.Environment);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("cannot be trusted", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was restored", restore.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", restore.Stderr, StringComparison.Ordinal);
        var verify = await CliProcess.RunAsync(["backup", "verify", bad, .. target.Args], target.Environment);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("cannot be trusted", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", verify.Stderr, StringComparison.Ordinal);
        // The target was not touched: not even migrated.
        Assert.Equal(0, await new MigrationRunner(target.Provider).CurrentVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task restore_refuses_a_database_that_is_not_empty_unless_forced()
    {
        using var client = await _server.CreateUserClientAsync();
        await AdventureTestData.CreateAsync(client);
        var (path, manifest, _) = await _server
            .Services.GetRequiredService<BackupService>()
            .TakeAsync(Path.Combine(_scratch, "b.backup.zip"), includeKeys: false, CancellationToken.None);
        var target = await NewTargetAsync();

        var first = await CliProcess.RunAsync(["restore", path, .. target.Args], target.Environment);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"Restored {manifest.TotalRows:N0} rows.", first.Stdout, StringComparison.Ordinal);
        var verify = await CliProcess.RunAsync(["backup", "verify", path, .. target.Args], target.Environment);
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.Contains("read back identical", verify.Stdout, StringComparison.Ordinal);

        var second = await CliProcess.RunAsync(["restore", path, .. target.Args], target.Environment);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("is not empty", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", second.Stderr, StringComparison.Ordinal);

        var forced = await CliProcess.RunAsync(["restore", path, "--force", .. target.Args], target.Environment);
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        var restored = await DatabaseContent.ReadAsync(target.Provider);
        Assert.Equal(
            manifest.TotalRows,
            restored.Tables.Values.Sum(v =>
                long.Parse(v.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)
            )
        );
    }

    protected IStorageProvider Provider => _server.Services.GetRequiredService<IStorageProvider>();

    protected async Task<IStorageProvider> RestoreIntoNewAsync(string path)
    {
        var provider = (await NewTargetAsync()).Provider;
        using var archive = await BackupArchive.OpenAsync(path, CancellationToken.None);
        await new DatabaseRestore(provider).RestoreAsync(
            archive,
            force: false,
            applyLaterMigrations: true,
            CancellationToken.None
        );
        return provider;
    }
}
