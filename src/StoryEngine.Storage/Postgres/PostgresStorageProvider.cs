using System.Data.Common;
using Dapper;
using Npgsql;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Storage.Postgres;

/// <summary>
/// Server mode: PostgreSQL, chosen by a connection string. Several nodes may start at once, so
/// migrations run under an advisory lock.
/// </summary>
public sealed class PostgresStorageProvider : IStorageProvider, IAsyncDisposable
{
    // Any constant shared by every node; "SE" + 1.
    private const long MigrationLockKey = 0x5345_0001;
    private static readonly Lazy<IReadOnlyList<Migration>> AllMigrations = new(() =>
        Migration.LoadEmbedded("Postgres")
    );
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _bookkeeping;

    public PostgresStorageProvider(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Target = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
        // A pool of its own whose sessions start with synchronous_commit off: a commit returns once it is in the WAL
        // buffers, and the WAL writer flushes it within a few hundred milliseconds (ADR 63).
        var bookkeeping = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            Options = ((builder.Options ?? "") + " -c synchronous_commit=off").Trim(),
        };
        _bookkeeping = NpgsqlDataSource.Create(bookkeeping);
    }

    public string Engine => "postgres";

    public ISqlDialect Dialect { get; } = new PostgresDialect();

    public string Target { get; }

    public IReadOnlyList<Migration> Migrations => AllMigrations.Value;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    // PostgreSQL handles concurrent writers itself; no gate.
    public async Task<WriteSession> OpenForWriteAsync(CancellationToken cancellationToken) =>
        new(await _dataSource.OpenConnectionAsync(cancellationToken), null);

    public async Task<WriteSession> OpenForBookkeepingAsync(CancellationToken cancellationToken) =>
        new(await _bookkeeping.OpenConnectionAsync(cancellationToken), null);

    // Concurrent transactions commit side by side (and PostgreSQL groups their WAL flushes itself).
    public bool SingleWriter => false;

    public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IAsyncDisposable> LockForMigrationAsync(
        DbConnection connection,
        CancellationToken cancellationToken
    )
    {
        await connection.ExecuteAsync(
            new CommandDefinition(
                "SELECT pg_advisory_lock(@key)",
                new { key = MigrationLockKey },
                cancellationToken: cancellationToken
            )
        );
        return new AdvisoryLock(connection);
    }

    public bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public async ValueTask DisposeAsync()
    {
        await _bookkeeping.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = MigrationLockKey });
    }
}
