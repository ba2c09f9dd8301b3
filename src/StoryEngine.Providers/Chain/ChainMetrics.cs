using System.Diagnostics.Metrics;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// The chain's own instruments on the "StoryEngine.Providers" meter (the server exports every "StoryEngine*" meter).
/// Each backend's current state is an observable gauge the server reads from <see cref="BackendChain.Status"/>.
/// </summary>
public static class ChainMetrics
{
    public const string MeterName = "StoryEngine.Providers";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> CircuitTransitions = Meter.CreateCounter<long>(
        "storyengine.backend.circuit.transitions",
        "{transition}",
        "Circuit-breaker transitions of a backend, by the state entered (open, half_open, closed)"
    );

    /// <summary>Zero series for every state, so rules and dashboards see the backend before any transition.</summary>
    public static void Seed(string backend)
    {
        foreach (var state in (string[])["open", "half_open", "closed"])
        {
            CircuitTransitions.Add(
                0,
                new KeyValuePair<string, object?>("storyengine.backend", backend),
                new KeyValuePair<string, object?>("state", state)
            );
        }
    }

    /// <summary>The breaker of <paramref name="backend"/> entered <paramref name="state"/>.</summary>
    public static void CircuitTransition(string backend, string state) =>
        CircuitTransitions.Add(
            1,
            new KeyValuePair<string, object?>("storyengine.backend", backend),
            new KeyValuePair<string, object?>("state", state)
        );
}
