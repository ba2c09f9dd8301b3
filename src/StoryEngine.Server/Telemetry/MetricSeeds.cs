using StoryEngine.Core.Jobs;
using StoryEngine.Core.Telemetry;
using StoryEngine.Providers.Chain;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Telemetry;

/// <summary>
/// At start, adds 0 to every counter series we know of (each turn outcome, job type, backend, rate-limit policy).
/// A counter appears on /metrics only once something was added to it, and <c>rate()</c> and <c>increase()</c> need
/// the series from before the first event; Prometheus' own guidance is to initialise known series to zero.
/// </summary>
public sealed class MetricSeeds(JobHandlers handlers, IServiceProvider services) : IHostedService
{
    private static readonly string[] Outcomes = ["started", "completed", "stopped", "failed", "interrupted"];

    private static readonly string[] Policies =
    [
        ProtectionServiceCollectionExtensions.ApiPolicy,
        ProtectionServiceCollectionExtensions.GenerationPolicy,
        ProtectionServiceCollectionExtensions.AuthPolicy,
        Mcp.McpGenerationLimit.PolicyName,
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var outcome in Outcomes)
        {
            StoryMetrics.Turns.Add(0, new KeyValuePair<string, object?>(StoryMetrics.OutcomeTag, outcome));
        }
        foreach (var type in handlers.Types)
        {
            var tag = new KeyValuePair<string, object?>(StoryMetrics.JobTypeTag, type);
            StoryMetrics.JobRetries.Add(0, tag);
            StoryMetrics.JobDeadLetters.Add(0, tag);
        }
        foreach (var policy in Policies)
        {
            StoryMetrics.RateLimitRejections.Add(0, new KeyValuePair<string, object?>(StoryMetrics.PolicyTag, policy));
        }
        StoryMetrics.Reattaches.Add(0);
        foreach (var result in new[] { "hit", "miss" })
        {
            StoryMetrics.GatewayCacheLookups.Add(0, new KeyValuePair<string, object?>("result", result));
        }
        StoryMetrics.ActiveStreams.Add(0);
        if (services.GetService<BackendChain>() is { } chain)
        {
            foreach (var backend in chain.Status)
            {
                ChainMetrics.Seed(backend.Name);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
