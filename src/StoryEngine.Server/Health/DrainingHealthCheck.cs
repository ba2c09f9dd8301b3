using Microsoft.Extensions.Diagnostics.HealthChecks;
using StoryEngine.Core.Narration;

namespace StoryEngine.Server.Health;

/// <summary>
/// Not ready once shutdown has begun (issue 16): /health/ready answers 503 at once so a load balancer stops sending
/// work here, while /health/live stays 200 so nothing kills the node before its narrations finish.
/// </summary>
public sealed class DrainingHealthCheck(ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    ) =>
        Task.FromResult(
            drain.IsDraining
                ? HealthCheckResult.Unhealthy("draining: shutting down, new turns are refused")
                : HealthCheckResult.Healthy("serving")
        );
}
