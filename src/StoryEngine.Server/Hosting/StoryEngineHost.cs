using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Apis;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Backups;
using StoryEngine.Server.Health;
using StoryEngine.Server.Http;
using StoryEngine.Server.Mail;
using StoryEngine.Server.Telemetry;
using StoryEngine.Server.Web;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Server.Hosting;

/// <summary>Builds the one host that both the server and the CLI commands run on, so they share configuration and
/// services.</summary>
public static class StoryEngineHost
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>
    /// Configuration comes, lowest to highest, from appsettings.json, environment variables
    /// (<c>Auth__AccessTokenMinutes</c>)
    /// and <paramref name="overrides"/> (the CLI's own options such as <c>--data-dir</c>).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(
        IReadOnlyDictionary<string, string?> overrides,
        bool quietLogs = false
    )
    {
        // No reload of appsettings.json on change: watching it meant a recursive inotify watch over the whole
        // content root (the folder the server was started from), which cost 0.3–0.6 s of start-up (issue 19), and
        // options are read once at start anyway.
        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] }
        );
        // Defaults sit below every other source, so appsettings.json or the environment can still change them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.Configure(o =>
            o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId
        );
        if (quietLogs)
        {
            // CLI commands print their own output on stdout; logs must not mix into it, and what does reach stderr
            // is a warning a person reads, one plain line, not a JSON record (issue 18). The levels are set in
            // configuration because the defaults' "Default: Information" rule would win over a minimum level.
            builder.Configuration.AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Lifetime"] = "Warning",
                    ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                }
            );
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        // Cross-cutting: how every request is served, authenticated, limited, checked and answered when it fails.
        builder.AddStoryHttp();
        builder.Services.AddStoryProblemDetails();
        builder.Services.AddStoryAuthentication();
        builder.Services.AddStoryProtection(builder.Configuration);
        builder.Services.AddTrustedProxies();
        builder.Services.AddStoryHealthChecks();
        builder.Services.AddStoryOpenApi();
        builder.AddStoryTelemetry();

        // Features, one extension each (Hosting/*ServiceCollectionExtensions.cs; the web app's in Web/). Hosted
        // services start in this order: mail, narration recovery, then the sweeps and the job workers.
        builder.Services.AddStoryStorage();
        builder.Services.AddStoryCore();
        builder.Services.AddStoryAccounts();
        builder.Services.AddStorySecrets();
        builder.Services.AddStoryCluster(builder.Configuration); // before the narrator: the bus listens before turns
        builder.Services.AddNarrator();
        builder.Services.AddModelGateway(builder.Configuration);
        builder.Services.AddGracefulDrain();
        builder.Services.AddLore();
        builder.Services.AddPictures();
        builder.Services.AddStoryUsage();
        builder.Services.AddMemory();
        builder.Services.AddKnowledge();
        builder.Services.AddSpeech(builder.Configuration);
        builder.Services.AddBedtime();
        builder.Services.AddStoryWebApp();
        builder.Services.AddSingleton<Demo.DemoContent>();
        builder.Services.AddTrashPurge(builder.Configuration);
        builder.Services.AddRetention(builder.Configuration);
        builder.Services.AddJobQueue(builder.Configuration);
        builder.Services.AddWorldState();
        builder.Services.AddBackups();
        builder.Services.AddAgents();
        builder.Services.AddTabletop();
        builder.Services.AddScenarios();
        return builder;
    }

    /// <summary>The HTTP pipeline and every endpoint group.</summary>
    public static WebApplication MapStoryEngine(this WebApplication app)
    {
        app.UseTrustedProxies(); // first, so everything after sees the client's address and scheme
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseNulGuard();
        app.UseStatusCodePages();
        app.UseWebErrorPages();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts(); // only ever sent on HTTPS responses
        }
        app.UseResponseCompression();
        app.UseWebStaticFiles();
        // Routing after the error pages, so a page that failed is re-executed as /error through routing again.
        app.UseRouting();
        app.UseCors();
        app.UseAuthentication();
        // what an API key may reach, before anything else looks at the request
        app.UseMiddleware<ApiKeyScopeMiddleware>();
        app.UseUserTiers(); // the limits are the user's tier's
        app.UseRateLimiter(); // after authentication, so limits are per user
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Story Engine API v1");
            o.DocumentTitle = "Story Engine API";
        });
        app.MapStoryHealth();
        app.MapStoryMetrics(); // Telemetry:Metrics: no sign-in, no rate limit, its own token/loopback guard
        var role = app.Services.GetRequiredService<IOptions<Cluster.ClusterOptions>>().Value.Role;
        if (role == Cluster.Roles.Worker)
        {
            return app; // a worker node runs the job queue; its HTTP is health and metrics only (docs/scaling.md)
        }

        app.MapGroup("/api/v1")
            .RequireAuthorization()
            .RequireRateLimiting(ProtectionServiceCollectionExtensions.ApiPolicy)
            .AddEndpointFilter<ContentETagFilter>() // every JSON read gets an ETag, from its version or its content
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .MapAuthApi()
            .MapMeApi()
            .MapApiKeysApi()
            .MapTwoFactorApi()
            .MapPasswordResetApi()
            .MapAdminApi()
            .MapEvaluationsApi()
            .MapBackupsApi()
            .MapUsageApi()
            .MapDataRightsApi()
            .MapWorldsApi()
            .MapLocationsApi()
            .MapCharactersApi()
            .MapCharacterCardsApi()
            .MapPicturesApi()
            .MapLorebooksApi()
            .MapDocumentsApi()
            .MapPersonasApi()
            .MapPresetsApi()
            .MapAdventuresApi()
            .MapTurnsApi()
            .MapWorldStateApi()
            .MapGoalsApi()
            .MapRulesApi()
            .MapTabletopApi()
            .MapJobsApi()
            .MapScenariosApi()
            .MapBedtimeApi()
            .MapNarrationAudioApi();
        app.MapStoryMcp();
        app.MapStoryWebApp();
        return app;
    }

    /// <summary>Resolves every validated option once so a bad value fails now, naming its key, rather than
    /// mid-request.</summary>
    public static void ValidateConfiguration(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<StoryEngineOptions>>().Value;
        _ = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        _ = services.GetRequiredService<IOptions<LockoutOptions>>().Value;
        _ = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Cluster.ClusterOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Gateway.GatewayOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value;
        _ = services.GetRequiredService<IOptions<UsageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SecretsOptions>>().Value;
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        if (smtp.Password is { } password)
        {
            try
            {
                _ = services.GetRequiredService<Core.Secrets.SecretBox>().OpenConfigurationValue(password);
            }
            catch (Core.Secrets.SecretBoxException e)
            {
                throw new OptionsValidationException(
                    SmtpOptions.Section,
                    typeof(SmtpOptions),
                    ["Smtp:Password " + $"could not be decrypted: {e.Message}"]
                );
            }
        }
        _ = services.GetRequiredService<IOptions<PasswordResetOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Jobs.JobOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Core.Narration.ShutdownOptions>>().Value;
        _ = services.GetRequiredService<Providers.Configuration.ProvidersSettings>();
        _ = services.GetRequiredService<IOptions<Core.Memory.MemoryOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Core.Memory.SummaryOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Core.Agents.Evaluation.EvaluationOptions>>().Value;
        // Embeddings:* names a usable backend and model
        _ = services.GetRequiredService<Core.Memory.MemoryEmbeddings>();
    }

    /// <summary>Applies pending migrations when <c>Database:MigrateOnStart</c> is true (the default).</summary>
    public static async Task MigrateIfConfiguredAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IOptions<StoryEngineOptions>>().Value.MigrateOnStart)
        {
            await services.GetRequiredService<MigrationRunner>().UpAsync(dryRun: false, cancellationToken);
        }
    }
}
