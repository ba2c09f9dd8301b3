using System.Globalization;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Stories;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Issue 3, benchmark 2: on a 10,000-turn adventure, appending one turn (StoryWriter.AppendAsync of one
/// ActionTaken) and opening the newest transcript page, both in-process (IStoryLog.ListTurnsAsync, limit 50) and
/// over HTTP (GET /api/v1/adventures/{id}/turns?limit=50 on the in-process Kestrel host, one keep-alive connection).
/// </summary>
internal static class AppendAndTranscript
{
    private const int SeededTurns = 10_000;
    private const int Warmup = 30;

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("### 2. Append one turn, open the newest transcript page (10,000-turn adventure)");
        output.WriteLine();
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(
            database,
            narrator: new InstantNarrator(InstantNarrator.DefaultSettings)
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("append", cancellationToken);
        var adventureId = await api.CreateAdventureAsync(user, cancellationToken);
        var adventure = await Seeder.SeedAsync(host.Services, user.Id, adventureId, SeededTurns, cancellationToken);
        await database.AnalyzeAsync();
        var writer = host.Get<StoryWriter>();
        var log = host.Get<IStoryLog>();

        var cpu = new CpuUsage();
        var appendAction = new List<double>();
        var appendNarration = new List<double>();
        for (var i = 0; i < Warmup + options.AppendSamples; i++)
        {
            // The adventure header is advanced here rather than reloaded, so only the append itself is timed.
            var turnId = Guid.CreateVersion7().ToString();
            var number = adventure.TurnCount + 1;
            var started = Timing.Now();
            await writer.AppendAsync(
                adventure,
                user.Id,
                [new ActionTaken(turnId, number, "do", BenchStory.Action(number))],
                cancellationToken
            );
            var action = Timing.MsSince(started);
            adventure = adventure with { LastSequence = adventure.LastSequence + 1, TurnCount = number };

            started = Timing.Now();
            await writer.AppendAsync(
                adventure,
                user.Id,
                [
                    new NarrationCompleted(
                        turnId,
                        0,
                        BenchStory.Narration(number),
                        "seed",
                        "bench-seed",
                        new TokenUsage(1_500, BenchStory.NarrationTokens),
                        new NarrationTimings(1, 2)
                    ),
                ],
                cancellationToken
            );
            var narration = Timing.MsSince(started);
            adventure = adventure with { LastSequence = adventure.LastSequence + 1 };
            if (i >= Warmup)
            {
                appendAction.Add(action);
                appendNarration.Add(narration);
            }
        }

        var listInProcess = new List<double>();
        for (var i = 0; i < Warmup + options.AppendSamples; i++)
        {
            var started = Timing.Now();
            var page = await log.ListTurnsAsync(adventureId, null, 50, includeUndone: false, cancellationToken);
            var elapsed = Timing.MsSince(started);
            if (page.Count != 50)
            {
                throw new InvalidOperationException($"Expected a page of 50 turns, got {page.Count}.");
            }
            if (i >= Warmup)
            {
                listInProcess.Add(elapsed);
            }
        }

        var listHttp = new List<double>();
        var bytes = 0;
        for (var i = 0; i < Warmup + options.AppendSamples; i++)
        {
            using var request = StoryApi.Request(
                HttpMethod.Get,
                $"/api/v1/adventures/{adventureId}/turns?limit=50",
                user
            );
            var started = Timing.Now();
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var elapsed = Timing.MsSince(started);
            response.EnsureSuccessStatusCode();
            bytes = body.Length;
            if (i >= Warmup)
            {
                listHttp.Add(elapsed);
            }
        }

        var cpuUsed = cpu.Describe();
        var table = new MarkdownTable("operation", "samples", "p50", "p95", "p99", "max", "target p99");
        Row(table, "append one turn: StoryWriter.AppendAsync([ActionTaken])", appendAction, "≤ 2 ms");
        Row(
            table,
            "append its narration: StoryWriter.AppendAsync([NarrationCompleted]) (reads the turn " + "first)",
            appendNarration,
            "–"
        );
        Row(table, "newest page in-process: IStoryLog.ListTurnsAsync(limit 50)", listInProcess, "≤ 5 ms");
        Row(table, $"newest page over HTTP: GET …/turns?limit=50 ({bytes / 1024.0:0.0} KB JSON)", listHttp, "≤ 5 ms");
        output.WriteLine(
            $"Engine {database.Engine}. {SeededTurns:N0} turns seeded"
                + (database.Engine == "postgres" ? " (then ANALYZE)" : "")
                + $", then {Warmup} warm-up and {options.AppendSamples} measured samples of each "
                + "operation, one at a time. Milliseconds. "
                + $"CPU while measuring: {cpuUsed}."
        );
        output.WriteLine();
        table.WriteTo(output);
    }

    private static void Row(MarkdownTable table, string name, List<double> samples, string target)
    {
        var p = new Percentiles(samples);
        table.Add(
            name,
            p.Count.ToString(CultureInfo.InvariantCulture),
            Percentiles.Ms(p.P50),
            Percentiles.Ms(p.P95),
            Percentiles.Ms(p.P99),
            Percentiles.Ms(p.Max),
            target
        );
    }
}
