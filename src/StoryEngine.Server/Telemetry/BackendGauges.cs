using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StoryEngine.Providers.Chain;

namespace StoryEngine.Server.Telemetry;

/// <summary>
/// <c>storyengine.backend.state</c>: for each backend of the narrator chain and each state (unknown, up, down,
/// circuit_open), 1 for the state it is in and 0 for the others, read from the chain at scrape time. The meter is
/// the process's, like every meter a MeterProvider listens to by name; it reads the hosts running in it (one, except
/// in tests, where a meter from a host's IMeterFactory vanished from every provider once that host was disposed).
/// </summary>
public sealed class BackendGauges(IServiceProvider services) : IHostedService
{
    private static readonly BackendState[] States = Enum.GetValues<BackendState>();
    private static readonly Meter Meter = new("StoryEngine.Backends");
    private static readonly ConcurrentDictionary<BackendGauges, byte> Running = new();

    static BackendGauges() =>
        Meter.CreateObservableGauge(
            "storyengine.backend.state",
            () => Running.Keys.SelectMany(g => g.Observe()),
            "{state}",
            "1 for the state each narrator backend is in (unknown, up, down, circuit_open), else 0"
        );

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Running[this] = 0;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Running.TryRemove(this, out _);
        return Task.CompletedTask;
    }

    private IEnumerable<Measurement<int>> Observe()
    {
        // Resolved at scrape time: a server without backends still starts, and its gauge is simply empty.
        if (services.GetService<BackendChain>() is not { } chain)
        {
            yield break;
        }
        foreach (var status in chain.Status)
        {
            foreach (var state in States)
            {
                yield return new Measurement<int>(
                    status.State == state ? 1 : 0,
                    new KeyValuePair<string, object?>(Core.Telemetry.StoryMetrics.BackendTag, status.Name),
                    new KeyValuePair<string, object?>("state", Name(state))
                );
            }
        }
    }

    private static string Name(BackendState state) =>
        state switch
        {
            BackendState.Up => "up",
            BackendState.Down => "down",
            BackendState.CircuitOpen => "circuit_open",
            _ => "unknown",
        };
}
