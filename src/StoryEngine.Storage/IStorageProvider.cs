using System.Data.Common;

namespace StoryEngine.Storage;

/// <summary>
/// One database engine: how to open a connection, its own migrations, and the few places where engines
/// differ. The stores above it speak SQL both engines understand, and take the rest from <see cref="Dialect"/>.
/// </summary>
public interface IStorageProvider
{
    /// <summary>
    /// The engine's name ("sqlite", "postgres") for people to read: health, CLI output. Code that must do something
    /// differently per engine asks <see cref="Dialect"/> instead.
    /// </summary>
    string Engine { get; }

    /// <summary>This engine's SQL where engines differ.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>Where the data lives, safe to print (no password).</summary>
    string Target { get; }

    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A connection for statements that write; see <see cref="WriteSession"/>.</summary>
    Task<WriteSession> OpenForWriteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="OpenForWriteAsync"/>, for bookkeeping the engine keeps for itself (the job queue's state, a turn's
    /// prompt report and lore activations, draft checkpoints, the memory index): its commit does not wait for the disk
    /// (SQLite <c>synchronous=NORMAL</c>, PostgreSQL <c>synchronous_commit=off</c> for the session). It survives the
    /// process being killed; a power cut or an OS crash can lose only the newest such commits, never an earlier
    /// commit, and every ordinary commit after them makes them durable too (ADR 63).
    /// </summary>
    Task<WriteSession> OpenForBookkeepingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True where writes queue behind one writer (SQLite): the story log then commits concurrent appends together,
    /// one transaction for all that waited (issue 19, <see cref="Stories.AppendBatcher"/>).
    /// </summary>
    bool SingleWriter { get; }

    /// <summary>This engine's migrations, in version order.</summary>
    IReadOnlyList<Migrations.Migration> Migrations { get; }

    /// <summary>Engine settings that must hold before migrations run (SQLite's WAL mode, for one).</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Keeps two processes from migrating at once; a no-op where the engine serialises writers
    /// anyway.</summary>
    Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    bool IsUniqueViolation(DbException exception);
}
