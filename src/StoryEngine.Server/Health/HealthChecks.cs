using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Server.Health;

/// <summary>The database answers a trivial query.</summary>
public sealed class DatabaseHealthCheck(IStorageProvider provider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await provider.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy($"{provider.Engine} at {provider.Target}");
        }
        catch (DbException e)
        {
            return HealthCheckResult.Unhealthy($"{provider.Engine} at {provider.Target} is unreachable: {e.Message}");
        }
    }
}

/// <summary>Every migration this build knows is applied; a server on an older schema is not ready.</summary>
public sealed class MigrationsHealthCheck(MigrationRunner migrations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var current = await migrations.CurrentVersionAsync(cancellationToken);
            var latest = migrations.LatestVersion;
            return current == latest
                ? HealthCheckResult.Healthy($"schema version {current}")
                : HealthCheckResult.Unhealthy($"schema version {current}, this build needs {latest}: run `storyengine migrate up`");
        }
        catch (DbException e)
        {
            return HealthCheckResult.Unhealthy($"cannot read the schema version: {e.Message}");
        }
    }
}

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddStoryHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// /health/live (the process runs), /health/ready (it can serve: 503 otherwise), /health (every component).
    /// Mapped as ordinary endpoints rather than MapHealthChecks so they appear in the OpenAPI document.
    /// </summary>
    public static IEndpointRouteBuilder MapStoryHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new HealthResponse("Healthy", 0, new Dictionary<string, ComponentHealth>())))
            .WithName("Live").WithSummary("The process is running");
        health.MapGet("/ready", (HealthCheckService checks, HttpContext context, CancellationToken ct) =>
                ReportAsync(checks, context, c => c.Tags.Contains(ReadyTag), ct))
            .WithName("Ready").WithSummary("The server can take requests: database reachable, migrations current")
            .Produces<HealthResponse>(503);
        health.MapGet("/", (HealthCheckService checks, HttpContext context, CancellationToken ct) => ReportAsync(checks, context, null, ct))
            .WithName("Health").WithSummary("Every component's state")
            .Produces<HealthResponse>(503);
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReportAsync(
        HealthCheckService checks, HttpContext context, Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(predicate, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            report.Status.ToString(),
            Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            report.Entries.ToDictionary(e => e.Key, e => new ComponentHealth(
                e.Value.Status.ToString(), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1))));
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(body);
    }
}

public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, ComponentHealth> Components);

public sealed record ComponentHealth(string Status, string? Description, double DurationMs);
