using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Usage;
using StoryEngine.Providers;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine eval</c> (issue 22): narrates the fixed situations of <see cref="EvalSuite"/> with each configured
/// backend and prints a table of scores, time to first token, tokens per second and cost (or <c>--json</c>). Progress
/// goes to stderr, one line per situation, so stdout stays the table.
/// </summary>
public static class EvalCommand
{
    public sealed record BackendReport(
        string Backend,
        string? Model,
        double Score,
        int Situations,
        int Failed,
        double? MeanFirstTokenMs,
        double? TokensPerSecond,
        long CostMicros,
        IReadOnlyList<EvalResult> Results
    );

    public sealed record Report(string Suite, string Evaluator, IReadOnlyList<BackendReport> Backends);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var only = new Option<string[]>("--backend")
        {
            Description = "Only these backends (repeatable; default: every configured backend)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("eval", $"Run the fixed story situations ({EvalSuite.Version}) against each backend")
        {
            json,
            only,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var factory = app.Services.GetRequiredService<BackendFactory>();
                    var prices = app.Services.GetRequiredService<PriceList>();
                    var wanted = parse.GetValue(only) ?? [];
                    var backends = factory
                        .Settings.Backends.Where(b =>
                            wanted.Length == 0 || wanted.Contains(b.Name, StringComparer.Ordinal)
                        )
                        .ToArray();
                    if (backends.Length == 0)
                    {
                        throw new CliUsageException("no such backend; see the Backends section of the configuration.");
                    }
                    var total = backends.Length * EvalSuite.Situations.Count;
                    var done = 0;
                    var progress = new Progress(r =>
                        Console.Error.WriteLine(
                            $"[{++done}/{total}] {r.Backend} {r.Situation}: "
                                + (r.Error is null ? r.Score.ToString("0.00", CultureInfo.InvariantCulture) : "failed")
                        )
                    );
                    var reports = new List<BackendReport>();
                    foreach (var backend in backends)
                    {
                        var results = await EvalSuite.RunAsync(
                            backend.Name,
                            backend.Model,
                            factory.GetClient(backend.Name),
                            new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 512 },
                            progress,
                            ct
                        );
                        reports.Add(Summarize(backend.Name, backend.Model, results, prices));
                    }
                    var report = new Report(EvalSuite.Version, NarrationHeuristics.Version, reports);
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(report, JsonSerializerOptions.Web));
                    }
                    else
                    {
                        Print(report);
                    }
                    return reports.Any(r => r.Failed == r.Situations) ? 1 : 0;
                }));
        return command;
    }

    public static BackendReport Summarize(
        string backend,
        string? model,
        IReadOnlyList<EvalResult> results,
        PriceList prices
    )
    {
        var ok = results.Where(r => r.Error is null).ToArray();
        var firstTokens = ok.Where(r => r.FirstTokenMs is not null).Select(r => r.FirstTokenMs!.Value).ToArray();
        var speeds = ok.Where(r => r.TokensPerSecond is not null).Select(r => r.TokensPerSecond!.Value).ToArray();
        return new BackendReport(
            backend,
            model,
            ok.Length == 0 ? 0 : Math.Round(ok.Average(r => r.Score), 3),
            results.Count,
            results.Count - ok.Length,
            firstTokens.Length == 0 ? null : Math.Round(firstTokens.Average(), 1),
            speeds.Length == 0 ? null : Math.Round(speeds.Average(), 1),
            results.Sum(r => prices.CostMicros(r.Model ?? model, r.InputTokens, r.OutputTokens)),
            results
        );
    }

    private static void Print(Report report)
    {
        Console.WriteLine($"suite {report.Suite}, evaluator {report.Evaluator}");
        Console.WriteLine(
            $"{"backend", -16} {"model", -24} {"score", 6} {"failed", 7} {"ttft ms", 9} {"tok/s", 7} {"cost $", 10}"
        );
        foreach (var b in report.Backends)
        {
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{b.Backend, -16} {b.Model ?? "-", -24} {b.Score, 6:0.00} {b.Failed + "/" + b.Situations, 7} "
                        + $"{(b.MeanFirstTokenMs is { } t ? t.ToString("0", CultureInfo.InvariantCulture) : "-"), 9} "
                        + $"{(b.TokensPerSecond is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "-"), 7} "
                        + $"{b.CostMicros / 1_000_000m, 10:0.0000}"
                )
            );
        }
    }

    private sealed class Progress(Action<EvalResult> report) : IProgress<EvalResult>
    {
        public void Report(EvalResult value) => report(value);
    }
}
