using System.Runtime.InteropServices;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): what one call costs on the processor, apart
/// from the time it waited for a core. On a shared machine whose load is above its core count, wall-clock percentiles
/// measure the queue for the processor as much as the code; this measures the code.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool Available { get; } = OperatingSystem.IsLinux() && TryNow(out _);

    /// <summary>Nanoseconds of CPU this thread has used.</summary>
    public static long Now() => TryNow(out var ns) ? ns : 0;

    public static double MsSince(long start) => (Now() - start) / 1e6;

    private static bool TryNow(out long nanoseconds)
    {
        try
        {
            var ok = clock_gettime(ClockThreadCpuTimeId, out var spec) == 0;
            nanoseconds = spec.Seconds * 1_000_000_000L + spec.Nanoseconds;
            return ok;
        }
        catch (DllNotFoundException)
        {
            nanoseconds = 0;
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            nanoseconds = 0;
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec spec);
}
