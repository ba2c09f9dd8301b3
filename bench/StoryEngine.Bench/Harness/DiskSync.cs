using System.Globalization;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// How long the disk under the database takes to make a small write durable: 4 KB appended and synced (fsync), 200
/// times. SQLite in WAL mode with synchronous=FULL (the product's setting, ADR 39) syncs the log on every commit, so
/// this is the floor under "action committed" and every other commit on the machine that ran the bench.
/// </summary>
internal static class DiskSync
{
    public static string Describe(string directory, int samples = 200)
    {
        var path = Path.Combine(directory, "sync-probe.bin");
        var block = new byte[4096];
        var times = new List<double>(samples);
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                for (var i = 0; i < samples; i++)
                {
                    file.Write(block);
                    var started = Timing.Now();
                    file.Flush(flushToDisk: true);
                    times.Add(Timing.MsSince(started));
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
        var p = new Percentiles(times);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"4 KB write + fsync on the database's disk, {samples} times: p50 {p.P50:0.00} ms, p99 {p.P99:0.00} ms"
        );
    }
}
