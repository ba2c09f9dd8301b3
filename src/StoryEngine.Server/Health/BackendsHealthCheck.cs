using Microsoft.Extensions.Diagnostics.HealthChecks;
using StoryEngine.Providers.Chain;

namespace StoryEngine.Server.Health;

/// <summary>
/// Each narrator backend's state. A backend that is down makes the server Degraded, not Unhealthy: it still
/// serves worlds and stories, and turns fail at once with a problem saying what to start.
/// </summary>
public sealed class BackendsHealthCheck(BackendChain chain) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        var status = await chain.ProbeWithinAsync(TimeSpan.FromSeconds(3), cancellationToken);
        var description = string.Join(
            "; ",
            status.Select(s =>
                $"{s.Name} ({s.Kind} {s.Model} at {s.BaseUrl}): "
                + $"{s.State}"
                + (s.LastError is null ? "" : $" — {s.LastError}")
            )
        );
        var data = status.ToDictionary(
            s => s.Name,
            s =>
                (object)
                    new
                    {
                        s.Kind,
                        s.BaseUrl,
                        s.Model,
                        State = s.State.ToString(),
                        s.LastError,
                        LastLatencyMs = s.LastLatency?.TotalMilliseconds,
                        s.LastSuccessAt,
                        s.LastFailureAt,
                        s.Detail,
                    }
        );
        return status.Any(s => s.State == BackendState.Up)
            ? HealthCheckResult.Healthy(description, data)
            : HealthCheckResult.Degraded(description, data: data);
    }
}
