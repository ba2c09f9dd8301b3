using System.Globalization;
using StoryEngine.Bench.Harness;
using StoryEngine.Bench.Measurements;

namespace StoryEngine.Bench;

/// <summary>Runs the chosen measurement, or all of them in order, each on its own fresh database and host.</summary>
internal static class BenchRunner
{
    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var chosen = options.Measurement == "all" ? BenchOptions.Measurements : [options.Measurement];
        foreach (var name in chosen)
        {
            var started = Timing.Now();
            Console.Error.WriteLine($"== {name} ({options.Engine})");
            await (
                name switch
                {
                    "overhead" => EngineOverhead.RunAsync(options, output, cancellationToken),
                    "append" => AppendAndTranscript.RunAsync(options, output, cancellationToken),
                    "ttft" => FirstTokenOverhead.RunAsync(options, output, cancellationToken),
                    "prefix" => PrefixStability.RunAsync(options, output, cancellationToken),
                    "concurrent" => ConcurrentStreams.RunAsync(options, output, cancellationToken),
                    "lore" => LoreActivationLatency.RunAsync(options, output, cancellationToken),
                    _ => throw new ArgumentException($"Unknown measurement '{name}'.", nameof(options)),
                }
            );
            var seconds = Timing.MsSince(started) / 1000;
            output.WriteLine($"_{name}: {seconds.ToString("0", CultureInfo.InvariantCulture)} s._");
            output.WriteLine();
            await output.FlushAsync(cancellationToken);
        }
    }
}
