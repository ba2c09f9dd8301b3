using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;
using StoryEngine.Bench.Measurements;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Providers;
using StoryEngine.Server.Gateway;

namespace StoryEngine.Bench.Gateway;

/// <summary>
/// Issue 21's model-gateway benchmarks (bench/gateway.sh), on the real host against a scripted OpenAI-compatible
/// backend on loopback:
/// <list type="bullet">
/// <item><c>gateway-ttft</c>: a player's time to first token with the backend idle, then with background work
/// (utility calls at background priority, as summaries and state extraction make) keeping every slot busy and a queue
/// waiting, with the default <c>InteractiveReserve</c> and with none (a priority queue alone).</item>
/// <item><c>gateway-cache-replay</c>: a story played, then the same moves replayed in a fresh adventure with
/// <c>Gateway:CacheMinutes</c> on; the identical-request cache's hits and misses in each pass.</item>
/// </list>
/// </summary>
internal static class GatewayBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var postgres = Text(args, "--postgres");
        var rounds = Number(args, "--rounds", 3);
        if (args[0] == "gateway-cache-replay")
        {
            var turns = Number(args, "--turns", 30);
            await Rounds.RunAsync(
                rounds,
                writer => CacheReplayAsync(postgres, turns, writer),
                output,
                CancellationToken.None
            );
            return 0;
        }
        var samples = Number(args, "--samples", 40);
        var slots = Number(args, "--slots", 4);
        var jobs = Number(args, "--jobs", slots * 2);
        await Rounds.RunAsync(
            rounds,
            writer => TtftUnderJobsAsync(postgres, samples, slots, jobs, writer),
            output,
            CancellationToken.None
        );
        return 0;
    }

    private static async Task TtftUnderJobsAsync(string? postgres, int samples, int slots, int jobs, TextWriter output)
    {
        await using var backend = await RateLimitedBackend.StartAsync();
        backend.FirstTokenDelay = TimeSpan.FromMilliseconds(100);
        backend.TokenInterval = TimeSpan.FromMilliseconds(25);
        backend.TokensPerReply = 12;
        backend.Slots = slots;
        var table = new MarkdownTable(
            "gateway",
            "background",
            "turns",
            "p50",
            "p95",
            "max",
            "p50 vs idle",
            "background calls/s"
        );
        var verdicts = new List<string>();
        foreach (var reserve in new[] { (int?)null, 0 })
        {
            var label = reserve is null ? "InteractiveReserve 1 (default)" : "InteractiveReserve 0 (priority only)";
            await using var database = await BenchDatabase.CreateAsync(postgres);
            var settings = backend.HostSettings();
            settings["Backends:bench:MaxConcurrency"] = slots.ToString(CultureInfo.InvariantCulture);
            if (reserve is { } r)
            {
                settings["Backends:bench:InteractiveReserve"] = r.ToString(CultureInfo.InvariantCulture);
            }
            // Only the bench's own background work: the turns' jobs are queued but not run here.
            settings["Jobs:Enabled"] = "false";
            await using var host = await BenchHost.StartAsync(database, settings);
            using var http = StoryApi.CreateClient(host.BaseAddress);
            var api = new StoryApi(http);
            var user = await api.RegisterAsync("ttft", CancellationToken.None);
            var adventureId = await api.CreateAdventureAsync(user, CancellationToken.None);
            var gate = host.Get<BackendFactory>().GetGate("bench");
            var number = 0;
            async Task<List<double>> MeasureAsync()
            {
                var times = new List<double>();
                for (var i = 0; i < 3 + samples; i++)
                {
                    var ttft = await FirstTokenThroughEngineAsync(http, user, adventureId, ++number);
                    if (i >= 3)
                    {
                        times.Add(ttft);
                    }
                }
                return times;
            }

            var idle = new Percentiles(await MeasureAsync());
            table.Add(label, "none", Count(idle), Ms(idle.P50), Ms(idle.P95), Ms(idle.Max), "–", "0");

            using var stop = new CancellationTokenSource();
            var utility = host.Get<IUtilityModel>().Client;
            var done = 0;
            var workers = Enumerable
                .Range(0, jobs)
                .Select(w =>
                    Task.Run(async () =>
                    {
                        for (var call = 0; !stop.IsCancellationRequested; call++)
                        {
                            try
                            {
                                await utility.GetResponseAsync(
                                    [new(ChatRole.User, $"Summarise part {w}.{call} of the story.")],
                                    new ChatOptions { Temperature = 0.7f, MaxOutputTokens = 256 },
                                    stop.Token
                                );
                                Interlocked.Increment(ref done);
                            }
                            catch (OperationCanceledException) when (stop.IsCancellationRequested)
                            {
                                return;
                            }
                        }
                    })
                )
                .ToArray();
            var saturatedAt = Timing.Now();
            while (gate.Running < slots - gate.InteractiveReserve || gate.Queued == 0)
            {
                if (Timing.MsSince(saturatedAt) > 30_000)
                {
                    throw new InvalidOperationException("The background work never filled the backend's slots.");
                }
                await Task.Delay(10);
            }
            var before = done;
            var measuring = Timing.Now();
            var busy = new Percentiles(await MeasureAsync());
            var perSecond = (done - before) / (Timing.MsSince(measuring) / 1000);
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            var rise = busy.P50 / idle.P50 - 1;
            table.Add(
                label,
                $"{jobs} callers on {slots - gate.InteractiveReserve} slots",
                Count(busy),
                Ms(busy.P50),
                Ms(busy.P95),
                Ms(busy.Max),
                (rise * 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%",
                perSecond.ToString("0.0", CultureInfo.InvariantCulture)
            );
            verdicts.Add($"{label}: p50 {(rise <= 0.10 ? "within" : "NOT within")} the 10% target");
        }
        output.WriteLine(
            "### Model gateway: a player's time to first token while background jobs saturate the backend"
        );
        output.WriteLine();
        output.WriteLine(
            $"Engine {(postgres is null ? "sqlite" : "postgres")}. A scripted OpenAI-compatible backend with "
                + $"{slots} slots (calls past them wait inside it, as llama.cpp's --parallel does): first token "
                + $"{backend.FirstTokenDelay.TotalMilliseconds:0} ms after a call gets a slot, then "
                + $"{backend.TokensPerReply - 1} more every {backend.TokenInterval.TotalMilliseconds:0} ms. "
                + $"`Backends:bench:MaxConcurrency` {slots}. One player takes {samples} turns one after another "
                + "(3 more to warm up), timed from POST …/turns to the first `token` event; first with nothing else "
                + $"running, then while {jobs} background callers (utility calls at background priority, as "
                + "summaries and state extraction make) each ask again as soon as answered."
        );
        output.WriteLine();
        table.WriteTo(output);
        output.WriteLine(string.Join("; ", verdicts) + ".");
        output.WriteLine();
    }

    private static async Task CacheReplayAsync(string? postgres, int turns, TextWriter output)
    {
        await using var backend = await RateLimitedBackend.StartAsync();
        backend.FirstTokenDelay = TimeSpan.FromMilliseconds(5);
        backend.TokenInterval = TimeSpan.FromMilliseconds(1);
        backend.TokensPerReply = 1;
        var utilityModel = new BenchUtilityModel();
        backend.Answer = body => ScriptedAnswer(utilityModel, body);
        await using var database = await BenchDatabase.CreateAsync(postgres);
        var settings = backend.HostSettings();
        settings["Gateway:CacheMinutes"] = "60";
        await using var host = await BenchHost.StartAsync(
            database,
            settings,
            narrator: new InstantNarrator(InstantNarrator.DefaultSettings)
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("replay", CancellationToken.None);
        var turnService = host.Get<TurnService>();
        var jobs = host.Get<IJobStore>();
        var statistics = host.Get<GatewayStatistics>();
        var table = new MarkdownTable("pass", "turns", "lookups", "hits", "misses", "hit rate", "backend calls");
        var previous = (Hits: 0L, Misses: 0L, Calls: 0);
        foreach (var pass in new[] { "first play", "replay (fresh adventure, same moves)" })
        {
            var adventureId = await api.CreateAdventureAsync(user, CancellationToken.None);
            await PrefixStability.SettleJobsAsync(jobs, adventureId, CancellationToken.None);
            for (var turn = 1; turn <= turns; turn++)
            {
                var run = await turnService.TakeTurnAsync(
                    user.Id,
                    adventureId,
                    "do",
                    BenchStory.Action(turn),
                    CancellationToken.None
                );
                await foreach (var item in run.ReadAsync(int.MaxValue - 1, CancellationToken.None))
                {
                    if (item is OutcomeItem { Succeeded: false } failed)
                    {
                        throw new InvalidOperationException($"Turn {turn} failed: {failed.FailureMessage}");
                    }
                }
                // the turn's state is in the next extraction's prompt, as in play at a human pace
                await PrefixStability.SettleJobsAsync(jobs, adventureId, CancellationToken.None);
            }
            var (hits, misses) = statistics.For("bench");
            var calls = backend.Requests;
            var passHits = hits - previous.Hits;
            var passMisses = misses - previous.Misses;
            var lookups = passHits + passMisses;
            table.Add(
                pass,
                turns.ToString(CultureInfo.InvariantCulture),
                lookups.ToString(CultureInfo.InvariantCulture),
                passHits.ToString(CultureInfo.InvariantCulture),
                passMisses.ToString(CultureInfo.InvariantCulture),
                lookups == 0 ? "–" : (100.0 * passHits / lookups).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                (calls - previous.Calls).ToString(CultureInfo.InvariantCulture)
            );
            previous = (hits, misses, calls);
        }
        output.WriteLine("### Model gateway: identical-request cache on a replayed story");
        output.WriteLine();
        output.WriteLine(
            $"Engine {(postgres is null ? "sqlite" : "postgres")}, `Gateway:CacheMinutes` 60. A story of {turns} "
                + "turns is played (an instant in-process narrator that tells the same story for the same moves), "
                + "each turn's background jobs finished before the next; then a fresh adventure in an identical world "
                + "plays the same moves. The utility backend is a scripted OpenAI-compatible server on loopback that "
                + "answers world-state extraction (temperature 0: the deterministic calls the cache keeps) with the "
                + "same change for the same turn. Hits and misses are the cache's counters, as "
                + "`GET /api/v1/admin/backends` shows them (`gateway.cacheHits`, `cacheMisses`); backend calls are "
                + "every call the utility backend received (sampled ones, such as summaries, included)."
        );
        output.WriteLine();
        table.WriteTo(output);
    }

    // The OpenAI request's messages and whether it asks for JSON, answered by the bench's scripted utility model.
    private static string ScriptedAnswer(BenchUtilityModel model, string body)
    {
        using var request = JsonDocument.Parse(body);
        var messages = request
            .RootElement.GetProperty("messages")
            .EnumerateArray()
            .Select(m => new ChatMessage(
                new ChatRole(m.GetProperty("role").GetString()!),
                m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : ""
            ))
            .ToList();
        var json = request.RootElement.TryGetProperty("response_format", out _);
        return model
            .GetResponseAsync(messages, new ChatOptions { ResponseFormat = json ? ChatResponseFormat.Json : null })
            .GetAwaiter()
            .GetResult()
            .Text;
    }

    private static async Task<double> FirstTokenThroughEngineAsync(
        HttpClient http,
        BenchUser user,
        string adventureId,
        int number
    )
    {
        using var request = StoryApi.TurnRequest(adventureId, user, BenchStory.Action(number));
        var started = Timing.Now();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        double? first = null;
        await foreach (var message in SseStream.ReadAsync(await response.Content.ReadAsStreamAsync(), default))
        {
            if (message.Event == "token")
            {
                first ??= Timing.MsSince(started);
            }
            else if (message.Event == "turn.failed")
            {
                throw new InvalidOperationException("The turn failed: " + message.Data);
            }
        }
        return first ?? throw new InvalidOperationException("The turn streamed no token.");
    }

    private static string Count(Percentiles p) => p.Count.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double value) => Percentiles.Ms(value) + " ms";

    private static string? Text(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static int Number(string[] args, string name, int fallback) =>
        Text(args, name) is { } value ? int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;
}
