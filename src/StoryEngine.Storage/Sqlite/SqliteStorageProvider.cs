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
    private readonly string _bookkeepingConnectionString;
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
        // Its own pool, so a connection set to synchronous=NORMAL never serves an ordinary write: Cache=Private is
        // what SQLite does anyway (shared cache is off), it only makes the connection string, and so the pool, differ.
        _bookkeepingConnectionString = new SqliteConnectionStringBuilder(_connectionString)
        {
            Cache = SqliteCacheMode.Private,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string Engine => "sqlite";

    public ISqlDialect Dialect { get; } = new SqliteDialect();

    public string Target => DatabasePath;

    public IReadOnlyList<Migration> Migrations => AllMigrations.Value;

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        OpenAsync(_connectionString, cancellationToken);

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (!_folderReady)
        {
            // SQLite creates the file but not its folder; a fresh --data-dir must just work.
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            _folderReady = true;
        }
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public Task<WriteSession> OpenForWriteAsync(CancellationToken cancellationToken) =>
        OpenForWriteAsync(_connectionString, synchronous: null, cancellationToken);

    // In WAL mode a NORMAL commit is written to the log but not synced; the next FULL commit's sync covers it.
    public Task<WriteSession> OpenForBookkeepingAsync(CancellationToken cancellationToken) =>
        OpenForWriteAsync(_bookkeepingConnectionString, "NORMAL", cancellationToken);

    private async Task<WriteSession> OpenForWriteAsync(
        string connectionString,
        string? synchronous,
        CancellationToken cancellationToken
    )
    {
        await _writeGate.WaitAsync(cancellationToken);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(connectionString, cancellationToken);
            if (synchronous is not null)
            {
                await connection.ExecuteAsync(
                    new CommandDefinition($"PRAGMA synchronous={synchronous};", cancellationToken: cancellationToken)
                );
            }
            return new WriteSession(connection, _writeGate);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
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
