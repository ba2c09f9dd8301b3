using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Storage.Sqlite;

/// <summary>
/// The embedded default: one database file in the data folder, in WAL mode so readers never wait for the
/// writer. SQLite serialises writers itself, so migrations need no extra lock.
/// </summary>
public sealed class SqliteStorageProvider : IStorageProvider
{
    private static readonly Lazy<IReadOnlyList<Migration>> AllMigrations = new(() => Migration.LoadEmbedded("Sqlite"));
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _folderReady;

    public SqliteStorageProvider(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a writer waits for another writer before SQLITE_BUSY.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string Engine => "sqlite";

    public ISqlDialect Dialect { get; } = new SqliteDialect();

    public string Target => DatabasePath;

    public IReadOnlyList<Migration> Migrations => AllMigrations.Value;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_folderReady)
        {
            // SQLite creates the file but not its folder; a fresh --data-dir must just work.
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            _folderReady = true;
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async Task<WriteSession> OpenForWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return new WriteSession(await OpenAsync(cancellationToken), _writeGate);
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    public bool SingleWriter => true;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // WAL is a property of the file: set once, it holds for every later connection.
        await connection.ExecuteAsync(
            new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken)
        );
    }

    public Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    public bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
