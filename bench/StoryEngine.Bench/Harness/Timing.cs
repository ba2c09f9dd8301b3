using System.Diagnostics;

namespace StoryEngine.Bench.Harness;

/// <summary>Stopwatch ticks to milliseconds; one clock for the whole process, so timestamps taken anywhere
/// compare.</summary>
internal static class Timing
{
    public static long Now() => Stopwatch.GetTimestamp();

    public static double MsSince(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    public static double MsBetween(long start, long end) => (end - start) * 1000.0 / Stopwatch.Frequency;
}
