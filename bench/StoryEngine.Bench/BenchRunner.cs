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
            await Rounds.RunAsync(
                options.Rounds,
                writer =>
                    name switch
                    {
                        "overhead" => EngineOverhead.RunAsync(options, writer, cancellationToken),
                        "append" => AppendAndTranscript.RunAsync(options, writer, cancellationToken),
                        "ttft" => FirstTokenOverhead.RunAsync(options, writer, cancellationToken),
                        "prefix" => PrefixStability.RunAsync(options, writer, cancellationToken),
                        "concurrent" => ConcurrentStreams.RunAsync(options, writer, cancellationToken),
                        "lore" => LoreActivationLatency.RunAsync(options, writer, cancellationToken),
                        _ => throw new ArgumentException($"Unknown measurement '{name}'.", nameof(options)),
                    },
                output,
                cancellationToken
            );
            var seconds = Timing.MsSince(started) / 1000;
            output.WriteLine($"_{name}: {seconds.ToString("0", CultureInfo.InvariantCulture)} s._");
            output.WriteLine();
            await output.FlushAsync(cancellationToken);
        }
    }
}
