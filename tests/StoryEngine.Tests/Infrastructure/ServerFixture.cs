using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Boots the real host (the same builder and pipeline `storyengine serve` uses) on a real Kestrel socket on
/// loopback, against a fresh database of one engine. Each test registers its own user, so tests never
/// share data.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public abstract string Engine { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>The server's clock; tests that need "31 days later" move it forward.</summary>
    public ManualClock Clock { get; } = new();

    /// <summary>Settings applied over the defaults, for fixtures a test builds for itself.</summary>
    public Dictionary<string, string?> ExtraSettings { get; } = new();

    /// <summary>When set, every log line of the server is kept here (the secret-leak test searches them).</summary>
    public LogCapture? Logs { get; set; }

    /// <summary>Service registrations applied after the product's, for fixtures that need a test double (tests
    /// only).</summary>
    public List<Action<IServiceCollection>> ServiceOverrides { get; } = [];

    /// <summary>False for a fixture whose database is broken on purpose.</summary>
    public bool Migrate { get; init; } = true;

    /// <summary>Configuration for this engine's fresh database.</summary>
    protected abstract Task<Dictionary<string, string?>> PrepareDatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var settings = await PrepareDatabaseAsync();
        // Tests make many accounts; the production default of 600,000 PBKDF2 rounds would dominate their run time.
        settings["Auth:PasswordIterations"] = "1000";
        settings["Trash:PurgeEnabled"] = "false";
        // Every test signs up from 127.0.0.1; the real limits are tested on a server of their own (ProtectionTests).
        settings["RateLimits:ApiPerMinute"] = "1000000";
        settings["RateLimits:GenerationPerMinute"] = "1000000";
        settings["RateLimits:AuthPerMinute"] = "1000000";
        settings["RateLimits:BedtimePerMinute"] = "1000000";
        // Likewise the per-address sign-in lockout: tests' failed logins add up; LockoutTests use servers of their own.
        settings["Auth:Lockout:IpFreeAttempts"] = "1000000";
        settings["Auth:Lockout:IpLockAfter"] = "1000000";
        settings["urls"] = "http://127.0.0.1:0";
        // The packaged embedding model costs ~400 MB and a second of CPU to load; only tests that need it turn it on
        // (KnowledgeTests), and then the whole process shares one instance (LocalEmbeddingModel).
        settings["Embeddings:Local"] = "false";
        // The scripted backend answers by script, not by what it is asked, and one server serves many tests: the model
        // gateway's identical-request cache would hand one test's scripted answer to another's identical prompt. The
        // cache has tests of its own (Gateway/IdenticalRequestCacheTests); a fixture can turn it on in ExtraSettings.
        settings["Gateway:CacheMinutes"] = "0";
        foreach (var (key, value) in (await ScriptedBackend.InstanceAsync()).Settings())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }
        var builder = StoryEngineHost.CreateBuilder(settings, quietLogs: true);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        if (Logs is not null)
        {
            builder.Logging.AddProvider(Logs);
        }
        foreach (var configure in ServiceOverrides)
        {
            configure(builder.Services);
        }
        _app = builder.Build();
        StoryEngineHost.ValidateConfiguration(_app.Services);
        if (Migrate)
        {
            await StoryEngineHost.MigrateIfConfiguredAsync(_app.Services, CancellationToken.None);
        }
        _app.MapStoryEngine();
        await _app.StartAsync();
        var address = _app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        BaseAddress = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await DropDatabaseAsync();
    }

    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = BaseAddress,
        };

    /// <summary>A client signed in as a brand-new user.</summary>
    public async Task<HttpClient> CreateUserClientAsync(string? username = null)
    {
        username ??= "u" + Guid.NewGuid().ToString("N")[..12];
        var client = CreateClient();
        var password = "a long enough password";
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { username, password });
        register.EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
        login.EnsureSuccessStatusCode();
        var tokens = await login.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens!.AccessToken);
        return client;
    }

    private sealed record TokenBody(string AccessToken, string RefreshToken);
}

public class SqliteServerFixture : ServerFixture
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-tests",
        Guid.NewGuid().ToString("N")
    );

    public string DataDir => _dataDir;

    public override string Engine => "sqlite";

    protected override Task<Dictionary<string, string?>> PrepareDatabaseAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["DataDir"] = _dataDir });

    protected override Task DropDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        return Task.CompletedTask;
    }
}

public class PostgresServerFixture : ServerFixture
{
    private readonly TestPostgres _database = new();

    public override string Engine => "postgres";

    protected override async Task<Dictionary<string, string?>> PrepareDatabaseAsync() =>
        new()
        {
            ["DataDir"] = Path.Combine(Path.GetTempPath(), "storyengine-tests", Guid.NewGuid().ToString("N")),
            ["ConnectionStrings:Postgres"] = await _database.CreateAsync(),
        };

    protected override Task DropDatabaseAsync() => _database.DropAsync();
}

[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteServerFixture>
{
    public const string Name = "sqlite server";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres server";
}
