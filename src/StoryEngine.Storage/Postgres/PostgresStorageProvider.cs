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
    private readonly bool _resetOnClose;

    public PostgresStorageProvider(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Target = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
        // A bookkeeping session turns synchronous_commit off for itself; the pool's reset (DISCARD ALL) when the
        // connection goes back turns it on again. Without that reset it would stay on the connection, so then
        // bookkeeping sessions are ordinary ones.
        _resetOnClose = !builder.NoResetOnClose;
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

    // Same pool as every other connection (the server's connection limit is shared by the nodes' pools): a commit
    // returns once it is in the WAL buffers, and the WAL writer flushes it within wal_writer_delay (ADR 63).
    public async Task<WriteSession> OpenForBookkeepingAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (_resetOnClose)
        {
            try
            {
                await connection.ExecuteAsync(
                    new CommandDefinition("SET synchronous_commit TO off", cancellationToken: cancellationToken)
                );
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        return new WriteSession(connection, null);
    }

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

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = MigrationLockKey });
    }
}
