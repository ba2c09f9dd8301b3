using Npgsql;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// A throwaway database on the PostgreSQL server that scripts/test.sh starts on loopback and names in
/// STORYENGINE_TEST_POSTGRES. Without it, PostgreSQL tests fail and say how to run them: they are never skipped.
/// </summary>
public sealed class TestPostgres
{
    public const string EnvironmentVariable = "STORYENGINE_TEST_POSTGRES";
    private string? _name;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests with ./scripts/test.sh, which starts PostgreSQL "
                    + "on loopback and sets it."
            );

    public async Task<string> CreateAsync()
    {
        _name = "se_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {_name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _name }.ConnectionString;
    }

    public async Task DropAsync()
    {
        if (_name is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
