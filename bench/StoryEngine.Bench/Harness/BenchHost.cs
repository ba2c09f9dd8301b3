using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// The real host — the builder and pipeline `storyengine serve` uses — on a Kestrel socket on loopback port 0,
/// against a <see cref="BenchDatabase"/>. A measurement may swap the narrator for an in-process one, exactly as the
/// brief of issue 3 asks: <c>builder.Services.AddSingleton&lt;INarrator&gt;(…)</c> after CreateBuilder.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<BenchHost> StartAsync(
        BenchDatabase database,
        IReadOnlyDictionary<string, string?>? extraSettings = null,
        INarrator? narrator = null,
        IUtilityModel? utility = null
    )
    {
        var settings = database.Settings();
        // Many accounts are made; the production 600,000 PBKDF2 rounds would measure hashing, not narration.
        settings["Auth:PasswordIterations"] = "1000";
        settings["Auth:AccessTokenMinutes"] = "240";
        settings["Trash:PurgeEnabled"] = "false";
        // A thousand players sign in from 127.0.0.1 and play at once: measure the engine, not the rate limiter.
        settings["RateLimits:ApiPerMinute"] = "100000000";
        settings["RateLimits:GenerationPerMinute"] = "100000000";
        settings["RateLimits:AuthPerMinute"] = "100000000";
        settings["urls"] = "http://127.0.0.1:0";
        // Keep stderr for what matters (failed narrations, storage errors): no start-up chatter, no key-storage notice.
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        settings["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error";
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var builder = StoryEngineHost.CreateBuilder(settings, quietLogs: true);
        if (narrator is not null)
        {
            builder.Services.AddSingleton(narrator);
        }
        if (utility is not null)
        {
            builder.Services.AddSingleton(utility);
        }
        var app = builder.Build();
        StoryEngineHost.ValidateConfiguration(app.Services);
        await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, CancellationToken.None);
        app.MapStoryEngine();
        await app.StartAsync();
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new BenchHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
