using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Health;

namespace StoryEngine.Server.Hosting;

public static class DrainServiceCollectionExtensions
{
    /// <summary>Time the host gets after the drain for Kestrel to close connections and services to stop.</summary>
    public static readonly TimeSpan AfterDrain = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The graceful drain on SIGTERM (section <c>Shutdown</c>; issue 16): readiness fails and new turns are refused at
    /// once, narrations in flight get <c>Shutdown:DrainSeconds</c> to finish, the rest are recorded as interrupted.
    /// The host's shutdown timeout is the drain plus <see cref="AfterDrain"/>, so the drain is never cut short.
    /// </summary>
    public static IServiceCollection AddGracefulDrain(this IServiceCollection services)
    {
        services
            .AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.Section)
            .Validate(
                o => o.DrainSeconds is >= 0 and <= ShutdownOptions.MaxDrainSeconds,
                $"Shutdown:DrainSeconds must be between 0 and {ShutdownOptions.MaxDrainSeconds}."
            )
            .ValidateOnStart();
        services
            .AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownOptions>>(
                (host, drain) => host.ShutdownTimeout = drain.Value.Drain + AfterDrain
            );
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService<DrainLifetime>();
        services.AddHealthChecks().AddCheck<DrainingHealthCheck>("drain", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}

/// <summary>
/// Drains before anything stops. <see cref="IHostedLifecycleService.StoppingAsync"/> runs after ApplicationStopping
/// and before any hosted service's StopAsync, Kestrel's included, so during the drain the server still answers:
/// readiness with 503, new turns with 503 <c>draining</c>, and the streams in flight go on to their end.
/// </summary>
public sealed partial class DrainLifetime(
    ShutdownDrain drain,
    TurnService turns,
    IOptions<ShutdownOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DrainLifetime> logger
) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Synchronously from the signal: readiness is 503 before the host gets to stopping anything.
        lifetime.ApplicationStopping.Register(Begin);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Begin();
        var interrupted = await turns.ShutdownAsync(options.Value.Drain, cancellationToken);
        LogDrainEnded(logger, interrupted);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Begin()
    {
        if (drain.Begin())
        {
            LogDrainStarted(logger, options.Value.DrainSeconds);
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Narration.DrainStarted,
        Level = LogLevel.Information,
        Message = "Shutting down: not ready, new turns refused, narrations in flight get {DrainSeconds} s to finish"
    )]
    private static partial void LogDrainStarted(ILogger logger, int drainSeconds);

    [LoggerMessage(
        EventId = LogEvents.Narration.DrainEnded,
        Level = LogLevel.Information,
        Message = "Drain ended; {Interrupted} narrations still running were stopped and recorded as interrupted"
    )]
    private static partial void LogDrainEnded(ILogger logger, int interrupted);
}
