using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StoryEngine.Server.Backups;

/// <summary>
/// The age and outcome of the last backup. A failed or overdue backup (older than two intervals) is Degraded, not
/// Unhealthy: the server still serves, but the operator should look. Not tagged ready, so it never takes a node out.
/// </summary>
public sealed class BackupHealthCheck(BackupStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        var last = status.Last;
        var age = status.AgeSeconds();
        var schedule = status.Interval is { } i ? $"every {i}" : "schedule off";
        if (last is null)
        {
            // A fresh install has none until the first interval ends; that is not a fault.
            return Task.FromResult(HealthCheckResult.Healthy($"no backup yet ({schedule}) in {status.Folder}"));
        }
        var description = last.Succeeded
            ? $"last backup {Age(age)} ago, {last.Bytes:N0} bytes ({schedule})"
            : $"last backup failed at {last.At:u}: {last.Error}; last success "
                + (age is null ? "never" : Age(age) + " ago");
        var overdue = status.Interval is { } interval && (age is null || age > 2 * interval.TotalSeconds);
        return Task.FromResult(
            last.Succeeded && !overdue
                ? HealthCheckResult.Healthy(description)
                : HealthCheckResult.Degraded(description)
        );
    }

    private static string Age(double? seconds) =>
        seconds is null ? "?" : TimeSpan.FromSeconds(Math.Round(seconds.Value)).ToString();
}
