using System.Globalization;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Issue 3, benchmark 1: what the engine adds to a turn when the model takes no time. Adventures of each size are
/// seeded straight into the story log, then turns go through TurnService.TakeTurnAsync and the run is read to its
/// outcome, with the <see cref="InstantNarrator"/> as the model. The sizes take turns round-robin, so a slow
/// moment on the machine hits every size alike. The background jobs a turn schedules (indexing, world state,
/// summaries) run as on a server whose utility backend answers at once (<see cref="BenchUtilityModel"/>): without
/// one they would fail against the default Ollama address and retry, which no working server does.
/// </summary>
internal static class EngineOverhead
{
    private const int WarmupRounds = 20;

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("### 1. Engine overhead per turn, model time excluded");
        output.WriteLine();
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(
            database,
            narrator: new InstantNarrator(InstantNarrator.DefaultSettings),
            utility: new BenchUtilityModel()
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("overhead", cancellationToken);

        var seeding = new MarkdownTable("adventure", "turns seeded", "seconds", "turns/s");
        var adventures = new List<(int Size, string Id)>();
        foreach (var size in options.Sizes)
        {
            var id = await api.CreateAdventureAsync(user, cancellationToken);
            var started = Timing.Now();
            await Seeder.SeedAsync(host.Services, user.Id, id, size, cancellationToken);
            var seconds = Timing.MsSince(started) / 1000;
            seeding.Add(
                Count(size),
                Count(size),
                seconds.ToString("0.0", CultureInfo.InvariantCulture),
                (size / seconds).ToString("0", CultureInfo.InvariantCulture)
            );
            adventures.Add((size, id));
        }

        await database.AnalyzeAsync();
        var turns = host.Get<TurnService>();
        var number = 0;
        // The JIT settles on an adventure of its own (see JitWarmup), so the measured ones keep their sizes; then
        // WarmupRounds rounds on the measured ones, for their caches.
        var practice = await api.CreateAdventureAsync(user, cancellationToken);
        await Seeder.SeedAsync(host.Services, user.Id, practice, 100, cancellationToken);
        var warmup = await JitWarmup.RunAsync(
            step => TakeAsync(turns, user.Id, practice, 101 + step, cancellationToken),
            minSteps: 50,
            maxSteps: 3000,
            maxTime: TimeSpan.FromMinutes(4)
        );
        for (var round = 0; round < WarmupRounds; round++)
        {
            foreach (var (_, id) in adventures)
            {
                await TakeAsync(turns, user.Id, id, ++number, cancellationToken);
            }
        }
        var accepted = adventures.ToDictionary(a => a.Size, _ => new List<double>());
        var full = adventures.ToDictionary(a => a.Size, _ => new List<double>());
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gen2Before = GC.CollectionCount(2);
        var cpu = new CpuUsage();
        for (var round = 0; round < options.Turns; round++)
        {
            foreach (var (size, id) in adventures)
            {
                var (accept, total) = await TakeAsync(turns, user.Id, id, ++number, cancellationToken);
                accepted[size].Add(accept);
                full[size].Add(total);
            }
        }
        var measuredTurns = options.Turns * adventures.Count;
        var allocatedPerTurn = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)measuredTurns / 1024;
        var cpuUsed = cpu.Describe();

        var table = new MarkdownTable(
            "turns before",
            "turns measured",
            "action committed p50",
            "p99",
            "whole turn p50",
            "p95",
            "p99",
            "max",
            "whole-turn p99 vs smallest"
        );
        var baseline = new Percentiles(full[adventures[0].Size]).P99;
        foreach (var (size, _) in adventures)
        {
            var a = new Percentiles(accepted[size]);
            var f = new Percentiles(full[size]);
            table.Add(
                Count(size),
                f.Count.ToString(CultureInfo.InvariantCulture),
                Percentiles.Ms(a.P50),
                Percentiles.Ms(a.P99),
                Percentiles.Ms(f.P50),
                Percentiles.Ms(f.P95),
                Percentiles.Ms(f.P99),
                Percentiles.Ms(f.Max),
                (f.P99 / baseline - 1).ToString("+0%;-0%;0%", CultureInfo.InvariantCulture)
            );
        }
        output.WriteLine(
            $"Engine {database.Engine}. Each adventure was seeded through IStoryLog.AppendAsync in "
                + "batches of 1,000 turns "
                + "(ActionTaken + NarrationCompleted each, ~60-token narrations); database size after "
                + $"seeding: {await database.SizeBytesAsync() / 1048576.0:0.0} MB"
                + (
                    database.Engine == "postgres"
                        ? ", then ANALYZE (as autovacuum would have done on a live " + "server)."
                        : "."
                )
        );
        output.WriteLine();
        seeding.WriteTo(output);
        output.WriteLine(
            $"Then warm-up turns on a separate 100-turn adventure ({warmup}), {WarmupRounds} warm-up turns per "
                + $"measured adventure, and {options.Turns} measured turns per "
                + "adventure, round-robin across the sizes, "
                + "each awaited to its outcome before the next. The model is the instant in-process narrator "
                + "(60 tokens, no delay, usage reported). "
                + "*Action committed*: TakeTurnAsync returned (claim, load, ActionTaken appended). *Whole "
                + "turn*: until the run's OutcomeItem "
                + "(inputs loaded, prompt built, context saved, 60 tokens relayed, NarrationCompleted "
                + "appended). Milliseconds."
        );
        output.WriteLine();
        table.WriteTo(output);
        if (database.Engine == "sqlite")
        {
            output.WriteLine(
                "The disk's own floor under every commit (SQLite syncs its log on each, ADR 39): "
                    + DiskSync.Describe(database.DataDir)
                    + "."
            );
            output.WriteLine();
        }
        var phases = await TurnPhases.MeasureAsync(host, user.Id, adventures[^1].Id, options.Turns, cancellationToken);
        output.WriteLine(
            $"Allocated per turn (whole process, measured turns): {allocatedPerTurn:0} KB; gen-2 "
                + $"collections during the measured turns: {GC.CollectionCount(2) - gen2Before}; "
                + $"CPU during the measured turns: {cpuUsed}. "
                + "Target (issue 3): p99 ≤ 5 ms, and the largest size within 20% of the smallest."
        );
        output.WriteLine();
        output.WriteLine(
            $"Where the time goes, on the {Count(adventures[^1].Size)}-turn adventure: the storage and "
                + "prompt steps of a turn re-enacted one at a time "
                + "through the same services (after the measured turns; 10 warm-up rounds), each timed "
                + "alone. Milliseconds."
        );
        output.WriteLine();
        phases.WriteTo(output);
    }

    private static async Task<(double Accepted, double Total)> TakeAsync(
        TurnService turns,
        string ownerId,
        string adventureId,
        int number,
        CancellationToken cancellationToken
    )
    {
        var started = Timing.Now();
        var run = await turns.TakeTurnAsync(ownerId, adventureId, "do", BenchStory.Action(number), cancellationToken);
        var accepted = Timing.MsSince(started);
        await foreach (var item in run.ReadAsync(0, cancellationToken))
        {
            if (item is OutcomeItem outcome)
            {
                if (!outcome.Succeeded)
                {
                    throw new InvalidOperationException(
                        $"Turn {number} failed: {outcome.FailureCode} " + $"{outcome.FailureMessage}"
                    );
                }
                break;
            }
        }
        return (accepted, Timing.MsSince(started));
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
