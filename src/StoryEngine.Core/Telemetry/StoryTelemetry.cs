using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StoryEngine.Core.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and <see cref="Meter"/> of the domain, both named "StoryEngine". They are
/// plain System.Diagnostics types, so Core needs no telemetry package; the server's OpenTelemetry wiring listens to
/// every source and meter whose name starts with "StoryEngine" (docs/telemetry.md lists each instrument).
/// </summary>
public static class StoryTelemetry
{
    public const string Name = "StoryEngine";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Bucket bounds in seconds for latencies from milliseconds to minutes (model calls, jobs).</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
    [
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
        2.5,
        5,
        10,
        30,
        60,
        120,
        300,
    ];

    /// <summary>Bucket bounds for token counts per call, following the gen_ai semantic conventions' advice.</summary>
    public static readonly IReadOnlyList<long> TokenBuckets =
    [
        1,
        4,
        16,
        64,
        256,
        1024,
        4096,
        16384,
        65536,
        262144,
        1048576,
        4194304,
    ];

    /// <summary>Starts a child span of whatever is current; null when nobody listens (no tracing configured).</summary>
    public static Activity? StartSpan(string name, ActivityKind kind = ActivityKind.Internal) =>
        Source.StartActivity(name, kind);

    /// <summary>Times a synchronous step as a span and, when given, a histogram in seconds.</summary>
    public static T Measure<T>(string span, Histogram<double>? seconds, Func<T> step)
    {
        using var activity = StartSpan(span);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return step();
        }
        finally
        {
            seconds?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>Times an asynchronous step as a span and, when given, a histogram in seconds.</summary>
    public static async Task<T> MeasureAsync<T>(string span, Histogram<double>? seconds, Func<Task<T>> step)
    {
        using var activity = StartSpan(span);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await step();
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            seconds?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
