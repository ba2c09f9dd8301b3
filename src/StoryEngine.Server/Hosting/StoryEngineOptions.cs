using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Hosting;

/// <summary>Top-level settings: where data lives and which database to use.</summary>
public sealed class StoryEngineOptions
{
    /// <summary>Folder for the SQLite file, keys and later exports. Config key <c>DataDir</c>, CLI
    /// <c>--data-dir</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Apply pending migrations when the server starts (<c>Database:MigrateOnStart</c>).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>When set (<c>ConnectionStrings:Postgres</c>), PostgreSQL is used instead of SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public string SqlitePath => Path.Combine(DataDir, "storyengine.db");
}

public sealed class StoryEngineOptionsValidator : IValidateOptions<StoryEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, StoryEngineOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            return ValidateOptionsResult.Fail("DataDir must name a folder (for example ./data).");
        }
        if (options.PostgresConnectionString is { Length: > 0 } cs)
        {
            return CheckPostgres(cs);
        }
        return ValidateOptionsResult.Success;
    }

    // Its own method, so checking a SQLite server's options does not load Npgsql (issue 19: idle memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValidateOptionsResult CheckPostgres(string cs)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(cs);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(
                "ConnectionStrings:Postgres is not a valid PostgreSQL connection " + $"string: {e.Message}"
            );
        }
    }
}
