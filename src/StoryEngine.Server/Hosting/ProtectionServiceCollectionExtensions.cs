using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Hosting;

/// <summary>Settings under <c>RateLimits</c>: requests per minute, per user (per IP when anonymous).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every API request.</summary>
    public int ApiPerMinute { get; set; } = 600;

    /// <summary>Requests that call a model (turns, retries), per user.</summary>
    public int GenerationPerMinute { get; set; } = 20;

    /// <summary>Bedtime stories asked for, per user (issue 25: three a minute).</summary>
    public int BedtimePerMinute { get; set; } = 3;

    /// <summary>Register, login and refresh, per IP.</summary>
    public int AuthPerMinute { get; set; } = 10;
}

public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        foreach (
            var (key, value) in new[]
            {
                ("ApiPerMinute", options.ApiPerMinute),
                ("GenerationPerMinute", options.GenerationPerMinute),
                ("AuthPerMinute", options.AuthPerMinute),
                ("BedtimePerMinute", options.BedtimePerMinute),
            }
        )
        {
            if (value < 1)
            {
                failures.Add($"RateLimits:{key} must be at least 1 (got {value}).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Rate limits with the framework's limiter, and CORS with an allow-list that is empty unless configured
/// (<c>Cors:AllowedOrigins</c>). Anything over a limit gets 429 with Retry-After and a problem document.
/// </summary>
public static class ProtectionServiceCollectionExtensions
{
    public const string ApiPolicy = "api";
    public const string GenerationPolicy = "generation";
    public const string AuthPolicy = "auth";
    public const string BedtimePolicy = "bedtime";

    public static IServiceCollection AddStoryProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiPolicy, context =>
                PerMinute(context, ApiPolicy, (o, tier) => tier?.ApiPerMinute ?? o.ApiPerMinute, byUser: true)
            );
            limiter.AddPolicy(GenerationPolicy, GenerationPartition);
            limiter.AddPolicy(BedtimePolicy, context =>
                PerMinute(
                    context,
                    BedtimePolicy,
                    (o, tier) => tier?.BedtimePerMinute ?? o.BedtimePerMinute,
                    byUser: true
                )
            );
            limiter.AddPolicy(AuthPolicy, context =>
                PerMinute(context, AuthPolicy, (o, _) => o.AuthPerMinute, byUser: false)
            );
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                Core.Telemetry.StoryMetrics.RateLimitRejections.Add(
                    1,
                    new KeyValuePair<string, object?>(Core.Telemetry.StoryMetrics.PolicyTag, policy ?? "global")
                );
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? wait
                    : TimeSpan.FromSeconds(60);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    .ToString(CultureInfo.InvariantCulture);
                if (Web.WebAppServiceCollectionExtensions.IsPageRequest(http))
                {
                    return; // an empty 429: the web app's status code pages show it as a page with the same sentence
                }
                await http
                    .RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(
                        new ProblemDetailsContext
                        {
                            HttpContext = http,
                            ProblemDetails =
                            {
                                Status = StatusCodes.Status429TooManyRequests,
                                Title = "Too many requests",
                                Detail = SlowDown(http.Response.Headers.RetryAfter.ToString()),
                                Extensions = { ["code"] = "rate_limited" },
                            },
                        }
                    );
            };
        });

        var origins = configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        services.AddCors(cors =>
            cors.AddDefaultPolicy(policy =>
            {
                // Nothing is allowed unless the operator names the origins (issue 4: "nothing allowed by default").
                if (origins.Length > 0)
                {
                    policy
                        .WithOrigins(origins)
                        .AllowAnyHeader()
                        .AllowAnyMethod()
                        .WithExposedHeaders("ETag", "Link", "Location", "Retry-After");
                }
            })
        );
        return services;
    }

    /// <summary>The generation limit's partition for a request: per user on their tier's GenerationPerMinute. MCP's
    /// take_turn takes its permit from a limiter of its own with this partition (Mcp/McpGenerationLimit.cs).</summary>
    public static RateLimitPartition<string> GenerationPartition(HttpContext context) =>
        PerMinute(
            context,
            GenerationPolicy,
            (o, tier) => tier?.GenerationPerMinute ?? o.GenerationPerMinute,
            byUser: true
        );

    /// <summary>What a rate-limited caller is told, by the API's problem and by the web app's page alike.</summary>
    public static string SlowDown(string retryAfterSeconds) => $"Slow down: try again in {retryAfterSeconds} seconds.";

    // Per user on their tier's limits (Tiers:{name}:ApiPerMinute, GenerationPerMinute; the RateLimits values where a
    // tier sets none), per address when anonymous. The limit is part of the key, so a tier change starts a new window.
    // On a cluster (PostgreSQL) the count is shared by every node: in Redis when configured, else in the database
    // (Cluster/SharedRateLimits.cs); on one node the framework's own in-memory limiter counts.
    private static RateLimitPartition<string> PerMinute(
        HttpContext context,
        string policy,
        Func<RateLimitOptions, Core.Usage.Tier?, int> permits,
        bool byUser
    )
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        var signedIn = byUser && context.User.Identity?.IsAuthenticated == true;
        var key = signedIn ? "user:" + context.User.UserId() : "ip:" + context.Connection.RemoteIpAddress;
        var limit = permits(options, signedIn ? Http.UserTiers.TierOf(context) : null);
        if (context.RequestServices.GetService<Cluster.IRateCounter>() is { } counter)
        {
            var services = context.RequestServices;
            return RateLimitPartition.Get($"{policy}|{limit}|{key}", partition => new Cluster.SharedWindowLimiter(
                counter,
                partition,
                limit,
                TimeSpan.FromMinutes(1),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger<Cluster.SharedWindowLimiter>()
            ));
        }
        return RateLimitPartition.GetFixedWindowLimiter($"{limit}|{key}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }
}
