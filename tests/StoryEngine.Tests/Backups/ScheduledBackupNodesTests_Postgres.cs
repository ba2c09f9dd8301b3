using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StoryEngine.Server.Backups;
using StoryEngine.Server.Hosting;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Backups;

/// <summary>
/// Two servers on one PostgreSQL database, each with a backup folder of its own: each scheduled slot is backed up
/// by exactly one of them, whether they reach it together or one after the other (issue 16).
/// </summary>
public sealed class ScheduledBackupNodesTests_Postgres : IAsyncLifetime
{
    private readonly TestPostgres _database = new();
    private readonly string _root = Path.Combine(
        Path.GetTempPath(),
        "storyengine-tests",
        "nodes-" + Guid.NewGuid().ToString("N")
    );
    private readonly List<WebApplication> _nodes = [];
    private readonly LogCapture _logs = new();

    // Each node's clock; retention keeps one backup per hour, so each slot is taken at its own (fake) hour.
    private readonly List<FakeTimeProvider> _clocks = [];
    private static readonly DateTimeOffset Slot = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var connectionString = await _database.CreateAsync();
        foreach (var name in new[] { "a", "b" })
        {
            var builder = StoryEngineHost.CreateBuilder(
                new Dictionary<string, string?>
                {
                    ["DataDir"] = Path.Combine(_root, name),
                    ["ConnectionStrings:Postgres"] = connectionString,
                    ["Embeddings:Local"] = "false",
                    ["Backups:Schedule"] = "hourly",
                },
                quietLogs: true
            );
            var clock = new FakeTimeProvider(Slot.AddSeconds(1));
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.AddProvider(_logs);
            _clocks.Add(clock);
            var node = builder.Build();
            await StoryEngineHost.MigrateIfConfiguredAsync(node.Services, CancellationToken.None);
            _nodes.Add(node);
        }
    }

    [Fact]
    public async Task each_slot_is_backed_up_by_one_node_only()
    {
        var slot = Slot;

        // Both reach the slot at once.
        await Task.WhenAll(_nodes.Select(n => Task.Run(() => Scheduler(n).RunOnceAsync(slot, CancellationToken.None))));
        Assert.True(
            BackupsIn(_nodes[0]) + BackupsIn(_nodes[1]) == 1,
            string.Join("\n", _logs.Lines.Where(l => l.Contains("Backup", StringComparison.Ordinal)))
        );
        Assert.NotNull(await new BackupRuns(Provider(_nodes[0])).ClaimedByAsync(slot, CancellationToken.None));

        // A node that comes round late (a slow start, a clock a little behind) finds the slot taken.
        foreach (var node in _nodes)
        {
            await Scheduler(node).RunOnceAsync(slot, CancellationToken.None);
        }
        Assert.Equal(1, BackupsIn(_nodes[0]) + BackupsIn(_nodes[1]));

        // The next slot is one backup again, by whichever node is first: here node b.
        _clocks.ForEach(c => c.Advance(TimeSpan.FromHours(1)));
        var before = BackupsIn(_nodes[1]);
        await Scheduler(_nodes[1]).RunOnceAsync(slot.AddHours(1), CancellationToken.None);
        await Scheduler(_nodes[0]).RunOnceAsync(slot.AddHours(1), CancellationToken.None);
        Assert.Equal(before + 1, BackupsIn(_nodes[1]));
        Assert.Equal(2, BackupsIn(_nodes[0]) + BackupsIn(_nodes[1]));
    }

    private static BackupScheduler Scheduler(WebApplication node) =>
        node.Services.GetRequiredService<BackupScheduler>();

    private static IStorageProvider Provider(WebApplication node) =>
        node.Services.GetRequiredService<IStorageProvider>();

    private static int BackupsIn(WebApplication node) =>
        BackupFolder.List(node.Services.GetRequiredService<BackupStatus>().Folder).Count;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await _database.DropAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
