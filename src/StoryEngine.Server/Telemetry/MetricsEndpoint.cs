using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint, served by the OpenTelemetry exporter on the server's own address. It needs no
/// user sign-in and is never rate-limited (a scraper polls on a fixed beat); instead it honours its own guards:
/// a bearer token (<c>Telemetry:Metrics:Token</c>) and a loopback-only switch (<c>Telemetry:Metrics:LoopbackOnly</c>).
/// </summary>
public static class MetricsEndpoint
{
    public static WebApplication MapStoryMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (options.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(
                    options.Path,
                    meterProvider: null,
                    configureBranchedPipeline: branch =>
                        branch.Use((context, next) => GuardAsync(context, next, options)),
                    optionsName: null
                )
                .AllowAnonymous()
                .DisableRateLimiting()
                .ExcludeFromDescription();
        }
        return app;
    }

    private static Task GuardAsync(HttpContext context, RequestDelegate next, MetricsOptions options)
    {
        if (!IsAllowedAddress(context, options))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        if (!string.IsNullOrEmpty(options.Token) && !HasToken(context.Request, options.Token))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
            return Task.CompletedTask;
        }
        return next(context);
    }

    private static bool IsAllowedAddress(HttpContext context, MetricsOptions options) =>
        !options.LoopbackOnly || context.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip);

    private static bool HasToken(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var given = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(token));
    }
}
