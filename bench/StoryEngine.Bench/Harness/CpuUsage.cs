using System.Diagnostics;
using System.Globalization;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// CPU used between two points, by this process and by the whole machine (Linux /proc/stat), in cores. When the
/// machine is busier than the process, other work was competing for the same cores during the measurement.
/// </summary>
internal sealed class CpuUsage
{
    private readonly long _started = Timing.Now();
    private readonly TimeSpan _process = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly (long Busy, long Total)? _machine = ReadMachine();

    /// <summary>"0.91 cores (machine: 1.98 of 2)" for the time since this was made.</summary>
    public string Describe()
    {
        var wallMs = Timing.MsSince(_started);
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _process).TotalMilliseconds / wallMs;
        var text = $"{process.ToString("0.00", CultureInfo.InvariantCulture)} cores";
        if (_machine is { } before && ReadMachine() is { } after && after.Total > before.Total)
        {
            var machine =
                (double)(after.Busy - before.Busy) / (after.Total - before.Total) * Environment.ProcessorCount;
            text +=
                $" (machine: {machine.ToString("0.00", CultureInfo.InvariantCulture)} of "
                + $"{Environment.ProcessorCount})";
        }
        return text;
    }

    /// <summary>Jiffies busy and in all, from the first line of /proc/stat; null where there is none.</summary>
    private static (long Busy, long Total)? ReadMachine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }
        var fields = File.ReadLines("/proc/stat")
            .First()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture))
            .ToArray();
        var total = fields.Take(8).Sum(); // user nice system idle iowait irq softirq steal (guest time is inside user)
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }
}
