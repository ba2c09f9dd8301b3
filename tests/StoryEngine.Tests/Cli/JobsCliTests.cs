using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Storage;
using StoryEngine.Storage.Jobs;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>`storyengine jobs list|retry|cancel`, run as a process on each engine against jobs the queue
/// stored.</summary>
public abstract class JobsCliTests : IAsyncLifetime
{
    protected readonly string DataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-cli",
        Guid.NewGuid().ToString("N")
    );

    protected Dictionary<string, string> Environment { get; } = new();

    protected abstract IStorageProvider Provider();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
        return Task.CompletedTask;
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["--data-dir", DataDir, .. args], Environment);

    [Fact]
    public async Task jobs_are_listed_retried_and_cancelled_from_the_command_line()
    {
        Assert.Equal(0, (await Run("migrate", "up")).ExitCode);
        var provider = Provider();
        var store = new JobStore(provider);
        var queue = new JobQueue(
            store,
            new JobSignal(),
            JobSettings.Default with
            {
                MaxAttempts = 1,
            },
            TimeProvider.System
        );
        var waiting = await queue.EnqueueAsync(
            new JobRequest("state.extract", "{}", "owner-1", "adventure-1"),
            CancellationToken.None
        );
        var failing = await queue.EnqueueAsync(new JobRequest("memory.index", "{}", "owner-1"), CancellationToken.None);
        // A worker runs the second one and it fails for good.
        var claim = await store.ClaimAsync(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), CancellationToken.None);
        while (claim!.Job.Id != failing)
        {
            claim = await store.ClaimAsync(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        Assert.True(
            await store.FinishAttemptAsync(
                claim,
                new JobOutcome(JobStates.Dead, DateTimeOffset.UtcNow, Error: "TimeoutException: the index was busy"),
                CancellationToken.None
            )
        );

        var list = await Run("jobs", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches($@"{failing}\s+memory.index\s+dead\s+1/1 .*TimeoutException: the index was busy", list.Stdout);
        Assert.Contains("2 jobs", list.Stdout, StringComparison.Ordinal);
        var dead = await Run("jobs", "list", "--state", "dead", "--json");
        Assert.Equal(
            failing,
            Assert.Single(JsonDocument.Parse(dead.Stdout).RootElement.EnumerateArray()).GetProperty("id").GetString()
        );

        var retried = await Run("jobs", "retry", failing);
        Assert.Equal(0, retried.ExitCode);
        Assert.Contains("queued again", retried.Stdout, StringComparison.Ordinal);
        var job = (await store.GetAsync(failing, CancellationToken.None))!;
        Assert.Equal(JobStates.Queued, job.State);
        Assert.Equal(0, job.Attempts);

        // The first job is still running (claimed above, before ours came up) or queued; cancel the one that is queued.
        var cancelled = await Run("jobs", "cancel", failing);
        Assert.Equal(0, cancelled.ExitCode);
        Assert.Equal(JobStates.Cancelled, (await store.GetAsync(failing, CancellationToken.None))!.State);
        var again = await Run("jobs", "cancel", failing);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains(
            "Only a queued or failed job can be cancelled; this one is " + "cancelled.",
            again.Stderr,
            StringComparison.Ordinal
        );

        var unknown = await Run("jobs", "retry", "00000000-0000-0000-0000-000000000000");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No job with id", unknown.Stderr, StringComparison.Ordinal);
        var badState = await Run("jobs", "list", "--state", "sleeping");
        Assert.Equal(1, badState.ExitCode);
        Assert.NotNull(await store.GetAsync(waiting, CancellationToken.None));
        if (provider is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}

public sealed class JobsCliTests_Sqlite : JobsCliTests
{
    protected override IStorageProvider Provider() =>
        new SqliteStorageProvider(Path.Combine(DataDir, "storyengine.db"));
}

public sealed class JobsCliTests_Postgres : JobsCliTests
{
    private readonly TestPostgres _database = new();
    private string _connectionString = "";

    protected override IStorageProvider Provider() => new PostgresStorageProvider(_connectionString);

    public override async Task InitializeAsync() =>
        Environment["ConnectionStrings__Postgres"] = _connectionString = await _database.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
