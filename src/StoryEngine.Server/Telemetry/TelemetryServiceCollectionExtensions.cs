using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StoryEngine.Core.Telemetry;

namespace StoryEngine.Server.Telemetry;

/// <summary>
/// OpenTelemetry, wired the standard way: our "StoryEngine*" sources and meters plus ASP.NET Core, HttpClient and
/// (on PostgreSQL only, so a SQLite server never loads Npgsql) Npgsql instrumentation; metrics to the Prometheus
/// scrape endpoint (<see cref="MetricsEndpoint"/>); traces and metrics over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a per-signal endpoint) is set, read by the exporter itself with the rest of
/// the standard <c>OTEL_*</c> variables. Log lines carry trace and span ids through the logging's
/// ActivityTrackingOptions (Hosting/StoryEngineHost.cs).
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ServiceName = "storyengine";

    private static readonly string[] OtlpEndpointKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    public static WebApplicationBuilder AddStoryTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.AddHostedService<MetricSeeds>();
        services.AddHostedService<BackendGauges>();
        services.AddHostedService<JobQueueGauges>();

        var metricsPath = builder.Configuration.GetValue<string>($"{MetricsOptions.Section}:Path") ?? "/metrics";
        var postgres = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Postgres"));
        var otel = services
            .AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
                tracing
                    .AddSource(StoryTelemetry.Name, StoryTelemetry.Name + ".*")
                    .AddAspNetCoreInstrumentation(o =>
                        o.Filter = context => !IsScrapeOrProbe(context.Request.Path, metricsPath)
                    )
                    .AddHttpClientInstrumentation()
                    .If(postgres, NpgsqlTracing)
            )
            .WithMetrics(metrics =>
                metrics
                    .AddMeter(StoryTelemetry.Name, StoryTelemetry.Name + ".*")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .If(postgres, NpgsqlMetrics)
                    .AddPrometheusExporter()
            );
        if (OtlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(builder.Configuration[key])))
        {
            otel.UseOtlpExporter(); // endpoint, protocol, headers and intervals from the standard OTEL_* settings
        }
        return builder;
    }

    private static T If<T>(this T builder, bool condition, Func<T, T> add) => condition ? add(builder) : builder;

    // Separate methods, so the code that runs on SQLite does not reference (and load) Npgsql's assemblies.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TracerProviderBuilder NpgsqlTracing(TracerProviderBuilder tracing) => tracing.AddNpgsql();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MeterProviderBuilder NpgsqlMetrics(MeterProviderBuilder metrics) =>
        metrics.AddNpgsqlInstrumentation();

    // Scrapes and health probes arrive every few seconds; as traces they would only bury the turns.
    private static bool IsScrapeOrProbe(PathString path, string metricsPath) =>
        path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
