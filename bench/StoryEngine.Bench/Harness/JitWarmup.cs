using System.Globalization;
using System.Runtime;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// Warms a host up until the JIT has settled. The runtime compiles a method first quickly (tier 0), then again,
/// optimised, once it is hot (tier 1, with dynamic PGO an instrumented pass in between), on one background thread;
/// a perf profile of the time-to-first-token bench after its former 10 warm-up turns found that thread using 69% of
/// the process's CPU while the turns were measured (about 32,000 methods are compiled in all, over the first two
/// minutes of turns). A server that has been up for a while has none of that, so the measured turns start once
/// fewer than <c>tolerance</c> methods were compiled over the last <c>window</c> warm-up steps (a step of many turns at
/// once sets off more of the rare paths, so it is given more), or at the cap. The bench prints what the warm-up took,
/// so a run that hit the cap says so.
/// </summary>
internal static class JitWarmup
{
    /// <summary>Runs <paramref name="step"/> (given its index) until the JIT is quiet or <paramref name="maxSteps"/>
    /// or <paramref name="maxTime"/> is reached; at least <paramref name="minSteps"/>.</summary>
    public static async Task<string> RunAsync(
        Func<int, Task> step,
        int minSteps,
        int maxSteps,
        TimeSpan maxTime,
        int window = 20,
        int tolerance = 3
    )
    {
        var started = Timing.Now();
        var compiledAtStart = JitInfo.GetCompiledMethodCount();
        var history = new Queue<long>();
        var steps = 0;
        var settled = false;
        while (steps < maxSteps && Timing.MsSince(started) < maxTime.TotalMilliseconds)
        {
            await step(steps++);
            history.Enqueue(JitInfo.GetCompiledMethodCount());
            if (history.Count > window + 1)
            {
                history.Dequeue();
            }
            if (steps >= minSteps && history.Count == window + 1 && history.Last() - history.Peek() < tolerance)
            {
                settled = true;
                break;
            }
        }
        var compiled = JitInfo.GetCompiledMethodCount() - compiledAtStart;
        var seconds = (Timing.MsSince(started) / 1000).ToString("0.0", CultureInfo.InvariantCulture);
        return $"{steps} warm-up steps in {seconds} s, {compiled:N0} methods compiled meanwhile; "
            + (
                settled
                    ? $"the JIT had settled (fewer than {tolerance} compiled in the last {window} steps)"
                    : "the cap was reached before the JIT settled (the figures include some JIT work)"
            );
    }
}
