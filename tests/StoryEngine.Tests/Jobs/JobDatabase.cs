using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Jobs;

/// <summary>A fresh, migrated database of one engine with no server on it, so no worker but the test's own touches the
/// queue.</summary>
public abstract class JobDatabase : IAsyncLifetime
{
    public IStorageProvider Provider { get; private set; } = null!;

    protected abstract Task<IStorageProvider> CreateAsync();

    protected abstract Task DropAsync();

    public async Task InitializeAsync()
    {
        Provider = await CreateAsync();
        await Provider.PrepareAsync(CancellationToken.None);
        await new MigrationRunner(Provider).UpAsync(dryRun: false, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Provider is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        await DropAsync();
    }
}

public sealed class SqliteJobDatabase : JobDatabase
{
    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "storyengine-jobs",
        Guid.NewGuid().ToString("N")
    );

    protected override Task<IStorageProvider> CreateAsync() =>
        Task.FromResult<IStorageProvider>(new SqliteStorageProvider(Path.Combine(_folder, "jobs.db")));

    protected override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        return Task.CompletedTask;
    }
}

public sealed class PostgresJobDatabase : JobDatabase
{
    private readonly TestPostgres _database = new();

    protected override async Task<IStorageProvider> CreateAsync() =>
        new PostgresStorageProvider(await _database.CreateAsync());

    protected override Task DropAsync() => _database.DropAsync();
}
