using Microsoft.Data.Sqlite;
using Npgsql;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// A fresh, empty database for one measurement: a SQLite file in a temporary folder, or a throwaway database on
/// the PostgreSQL server named by <c>--postgres</c>. Removed again when disposed.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _serverConnectionString;
    private readonly string? _databaseName;

    private BenchDatabase(
        string dataDir,
        string? serverConnectionString,
        string? databaseName,
        string? connectionString
    )
    {
        DataDir = dataDir;
        _serverConnectionString = serverConnectionString;
        _databaseName = databaseName;
        ConnectionString = connectionString;
    }

    /// <summary>Keys live here on both engines; on SQLite the database file too.</summary>
    public string DataDir { get; }

    /// <summary>The PostgreSQL connection string of the throwaway database; null on SQLite.</summary>
    public string? ConnectionString { get; }

    public string Engine => ConnectionString is null ? "sqlite" : "postgres";

    public string SqlitePath => Path.Combine(DataDir, "storyengine.db");

    public static async Task<BenchDatabase> CreateAsync(string? postgresServer)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "storyengine-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        if (postgresServer is null)
        {
            return new BenchDatabase(dataDir, null, null, null);
        }
        var name = "se_bench_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(postgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(postgresServer) { Database = name }.ConnectionString;
        return new BenchDatabase(dataDir, postgresServer, name, connectionString);
    }

    /// <summary>The configuration that points the host at this database.</summary>
    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?> { ["DataDir"] = DataDir };
        if (ConnectionString is not null)
        {
            settings["ConnectionStrings:Postgres"] = ConnectionString;
        }
        return settings;
    }

    /// <summary>
    /// After bulk seeding, PostgreSQL's planner still believes the tables are nearly empty until autovacuum gets to
    /// them (up to a minute later), and picks a sort of every turn over the index for the newest page. A live
    /// server's long adventure has long been analysed, so the measurements start from there. SQLite's planner needs no
    /// statistics.
    /// </summary>
    public async Task AnalyzeAsync()
    {
        if (ConnectionString is null)
        {
            return;
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("ANALYZE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Size on disk: the SQLite file with its WAL, or the PostgreSQL database.</summary>
    public async Task<long> SizeBytesAsync()
    {
        if (ConnectionString is null)
        {
            return new[] { SqlitePath, SqlitePath + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_databaseName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_serverConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"DROP DATABASE IF EXISTS {_databaseName} WITH " + "(FORCE)",
                connection
            );
            await command.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
