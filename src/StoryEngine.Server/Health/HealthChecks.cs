using System.Data.Common;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StoryEngine.Server.Auth;
using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Server.Health;

/// <summary>The database answers a trivial query.</summary>
public sealed class DatabaseHealthCheck(IStorageProvider provider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            await using var connection = await provider.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(
                new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)
            );
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
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            var current = await migrations.CurrentVersionAsync(cancellationToken);
            var latest = migrations.LatestVersion;
            return current == latest
                ? HealthCheckResult.Healthy($"schema version {current}")
                : HealthCheckResult.Unhealthy(
                    $"schema version {current}, this build needs {latest}: run " + "`storyengine migrate up`"
                );
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
        services
            .AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// /health/live (the process runs), /health/ready (it can serve: 503 otherwise), /health (every component).
    /// Mapped as ordinary endpoints rather than MapHealthChecks so they appear in the OpenAPI document.
    /// Anyone may ask, so anyone gets only <c>up</c>, <c>degraded</c> or <c>down</c> overall and per component (the
    /// kind of dependency: database, backends, ...); the descriptions (backend addresses and models, the database's
    /// location, error text) and timings go to admins only (issue #15, fault 6), who also have /admin/backends.
    /// </summary>
    public static IEndpointRouteBuilder MapStoryHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health
            .MapGet("/live", () =>
                TypedResults.Ok(new HealthResponse(Up, null, new Dictionary<string, ComponentHealth>()))
            )
            .WithName("Live")
            .WithSummary("The process is running");
        health
            .MapGet(
                "/ready",
                (
                    HealthCheckService checks,
                    IAuthorizationService authorization,
                    HttpContext context,
                    CancellationToken ct
                ) => ReportAsync(checks, authorization, context, c => c.Tags.Contains(ReadyTag), ct)
            )
            .WithName("Ready")
            .WithSummary("The server can take requests: database reachable, migrations current")
            .Produces<HealthResponse>(503);
        health
            .MapGet(
                "/",
                (
                    HealthCheckService checks,
                    IAuthorizationService authorization,
                    HttpContext context,
                    CancellationToken ct
                ) => ReportAsync(checks, authorization, context, null, ct)
            )
            .WithName("Health")
            .WithSummary("Every component's state")
            .Produces<HealthResponse>(503);
        return app;
    }

    public const string Up = "up";
    public const string Degraded = "degraded";
    public const string Down = "down";

    // The words of issue 15 rather than ASP.NET's enum names, so the public shape does not follow the library.
    private static string Word(HealthStatus status) =>
        status switch
        {
            HealthStatus.Healthy => Up,
            HealthStatus.Degraded => Degraded,
            _ => Down,
        };

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReportAsync(
        HealthCheckService checks,
        IAuthorizationService authorization,
        HttpContext context,
        Func<HealthCheckRegistration, bool>? predicate,
        CancellationToken cancellationToken
    )
    {
        var report = await checks.CheckHealthAsync(predicate, cancellationToken);
        // The caller is whoever the default scheme (Bearer, for this path) says; with no token, nobody.
        var detailed = (await authorization.AuthorizeAsync(context.User, AuthorizationPolicies.Admin)).Succeeded;
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            Word(report.Status),
            detailed ? Math.Round(report.TotalDuration.TotalMilliseconds, 1) : null,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new ComponentHealth(
                    Word(e.Value.Status),
                    detailed ? e.Value.Description : null,
                    detailed ? Math.Round(e.Value.Duration.TotalMilliseconds, 1) : null
                )
            )
        );
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(body);
    }
}

/// <param name="Status"><c>up</c>, <c>degraded</c> (serving, with a component that is not) or <c>down</c>.</param>
/// <param name="DurationMs">How long the checks took: for admins only, absent otherwise.</param>
/// <param name="Components">Each dependency kind (database, migrations, backends, backups, drain) by name.</param>
public sealed record HealthResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DurationMs,
    IReadOnlyDictionary<string, ComponentHealth> Components
);

/// <param name="Status"><c>up</c>, <c>degraded</c> or <c>down</c>.</param>
/// <param name="Description">What the check found, with addresses and error text: for admins only, absent
/// otherwise.</param>
/// <param name="DurationMs">How long the check took: for admins only, absent otherwise.</param>
public sealed record ComponentHealth(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DurationMs
);
