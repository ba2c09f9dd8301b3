using System.Globalization;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Issue 3, benchmark 5: a thousand adventures, each with its own account, streaming a turn at the same moment
/// through the real host over loopback HTTP, with a <see cref="RateLimitedBackend"/> at 20 tokens a second
/// (40 tokens a turn). Every token carries the backend's send timestamp; the client, in the same process and so
/// on the same clock, records how long each took to reach it through the engine.
/// </summary>
internal static class ConcurrentStreams
{
    private const int TokensPerTurn = 40;
    private const int SetupParallelism = 16;
    private const int WarmupStreams = 50;
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(3);

    /// <summary>One stream as the client saw it; <see cref="Relay"/> pairs each token's send timestamp with its delay
    /// in ms.</summary>
    private sealed record StreamResult(
        string? Error,
        double FirstTokenMs,
        long FirstTokenAt,
        double TotalMs,
        int Tokens,
        List<(long SentAt, double DelayMs)> Relay
    );

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"### 5. {options.Users:N0} concurrent streaming adventures on one node");
        output.WriteLine();
        await using var backend = await RateLimitedBackend.StartAsync();
        backend.FirstTokenDelay = TimeSpan.FromMilliseconds(50);
        backend.TokenInterval = TimeSpan.FromMilliseconds(50);
        backend.TokensPerReply = TokensPerTurn;
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(database, backend.HostSettings());
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);

        var setupStarted = Timing.Now();
        var players = new (BenchUser User, string AdventureId)[options.Users];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Users),
            new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var user = await api.RegisterAsync($"load{i:D5}", token);
                players[i] = (user, await api.CreateAdventureAsync(user, token));
            }
        );
        var setupSeconds = Timing.MsSince(setupStarted) / 1000;
        // Open one connection per player first, as connected clients would have: the burst measures streaming, not TCP
        // handshakes.
        await Task.WhenAll(
            players.Select(async p =>
            {
                using var request = StoryApi.Request(HttpMethod.Get, $"/api/v1/adventures/{p.AdventureId}", p.User);
                using var response = await http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
            })
        );

        // Warm the host up (JIT, pools, the connections to the backend) with smaller bursts of short turns first, until
        // the JIT has settled (see JitWarmup).
        var warmup = players.Take(WarmupStreams).ToArray();
        backend.TokensPerReply = 5;
        var warmed = await JitWarmup.RunAsync(
            async _ =>
            {
                var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var warming = warmup
                    .Select(p => StreamAsync(http, p.User, p.AdventureId, warm.Task, 5, cancellationToken))
                    .ToArray();
                warm.SetResult();
                var results = await Task.WhenAll(warming);
                if (results.FirstOrDefault(r => r.Error is not null) is { } broken)
                {
                    throw new InvalidOperationException("A warm-up turn failed: " + broken.Error);
                }
            },
            minSteps: 1,
            maxSteps: 400,
            maxTime: TimeSpan.FromMinutes(3),
            window: 10,
            tolerance: 30
        );

        backend.TokensPerReply = TokensPerTurn;
        backend.StampTokens = true;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streams = players
            .Select(p => StreamAsync(http, p.User, p.AdventureId, go.Task, TokensPerTurn, cancellationToken))
            .ToArray();
        string poolNote;
        var cpu = new CpuUsage();
        var started = Timing.Now();
        StreamResult[] results;
        using (var pool = new ThreadPoolSampler(TimeSpan.FromMilliseconds(20)))
        {
            go.SetResult();
            results = await Task.WhenAll(streams);
            poolNote =
                $"Thread pool during the burst: {pool.StartThreads} threads at the start, at most "
                + $"{pool.PeakThreads}; "
                + $"at most {pool.PeakQueue:N0} work items waiting for a thread.";
        }
        var wallMs = Timing.MsSince(started);
        var cores = cpu.Describe();

        var failed = results.Where(r => r.Error is not null).ToList();
        var ok = results.Where(r => r.Error is null).ToList();
        var relay = new Percentiles(results.SelectMany(r => r.Relay).Select(r => r.DelayMs));
        // Once every stream has its first token, no turn is starting any more: what is left is relaying alone.
        var allStarted = ok.Count == 0 ? long.MaxValue : ok.Max(r => r.FirstTokenAt);
        var steady = new Percentiles(
            results.SelectMany(r => r.Relay).Where(r => r.SentAt > allStarted).Select(r => r.DelayMs)
        );
        output.WriteLine(
            $"Engine {database.Engine}. Setup: {options.Users:N0} accounts (register + sign in), each "
                + "with a world, character, place, persona and "
                + $"adventure, over HTTP with {SetupParallelism} at a time: {setupSeconds:0.0} s; then one "
                + "keep-alive connection per player was opened, and "
                + $"{Math.Min(WarmupStreams, options.Users)} players took short warm-up turns together "
                + $"(JIT, pools, backend connections): {warmed}. "
                + $"Burst: all {options.Users:N0} POST …/turns (SSE) released at once; backend first token "
                + $"after 50 ms, then 20 tokens/s, {TokensPerTurn} "
                + "tokens per turn (an ideal turn lasts 2.0 s). Server, backend and clients share this "
                + "process and its cores."
        );
        output.WriteLine();
        var summary = new MarkdownTable(
            "streams",
            "completed",
            "errors",
            "tokens received / expected",
            "burst wall time",
            "process CPU during burst"
        );
        summary.Add(
            options.Users.ToString("N0", CultureInfo.InvariantCulture),
            ok.Count.ToString("N0", CultureInfo.InvariantCulture),
            failed.Count.ToString("N0", CultureInfo.InvariantCulture),
            $"{results.Sum(r => r.Tokens):N0} / {options.Users * TokensPerTurn:N0}",
            $"{wallMs / 1000:0.00} s",
            cores
        );
        summary.WriteTo(output);

        var table = new MarkdownTable("measure", "samples", "p50", "p95", "p99", "max");
        Row(table, "token relay delay: backend wrote it → client read it (ms)", relay);
        Row(table, "… only tokens written after every stream had its first token (ms)", steady);
        Row(table, "first token after POST (ms)", new Percentiles(ok.Select(r => r.FirstTokenMs)));
        Row(table, "whole turn, POST → turn.completed (ms)", new Percentiles(ok.Select(r => r.TotalMs)));
        Row(table, "backend lateness: token written after its schedule (ms)", new Percentiles(backend.Lateness));
        table.WriteTo(output);
        output.WriteLine(poolNote);
        output.WriteLine();
        if (failed.Count > 0)
        {
            output.WriteLine("Errors, by kind (first message of each):");
            output.WriteLine();
            foreach (var group in failed.GroupBy(f => Kind(f.Error!)).OrderByDescending(g => g.Count()))
            {
                output.WriteLine($"- {group.Count():N0} × {group.First().Error}");
            }
            output.WriteLine();
        }
    }

    private static async Task<StreamResult> StreamAsync(
        HttpClient http,
        BenchUser user,
        string adventureId,
        Task go,
        int expectedTokens,
        CancellationToken cancellationToken
    )
    {
        await go;
        var relay = new List<(long, double)>(TokensPerTurn);
        var tokens = 0;
        double first = double.NaN;
        long firstAt = 0;
        var started = Timing.Now();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StreamTimeout);
            using var request = StoryApi.TurnRequest(
                adventureId,
                user,
                "walk down to the harbour and listen to the " + "fog"
            );
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(
                    $"HTTP {(int)response.StatusCode}: "
                        + $"{Short(await response.Content.ReadAsStringAsync(timeout.Token))}"
                );
            }
            string? outcome = null;
            await foreach (
                var message in SseStream.ReadAsync(
                    await response.Content.ReadAsStreamAsync(timeout.Token),
                    timeout.Token
                )
            )
            {
                var received = Timing.Now();
                if (message.Event == "token")
                {
                    tokens++;
                    if (double.IsNaN(first))
                    {
                        first = Timing.MsBetween(started, received);
                        firstAt = received;
                    }
                    relay.AddRange(
                        RateLimitedBackend
                            .Stamps(message.Data)
                            .Select(stamp => (stamp, Timing.MsBetween(stamp, received)))
                    );
                }
                else if (message.Event is "turn.completed" or "turn.failed")
                {
                    outcome = message.Event == "turn.completed" ? message.Event : "turn.failed: " + Short(message.Data);
                }
            }
            return outcome != "turn.completed" ? Failed(outcome ?? "the stream ended without an outcome")
                : tokens != expectedTokens ? Failed($"{tokens} tokens instead of {expectedTokens}")
                : new StreamResult(null, first, firstAt, Timing.MsSince(started), tokens, relay);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return Failed($"{e.GetType().Name}: {Short(e.Message)}");
        }

        StreamResult Failed(string error) => new(error, first, firstAt, Timing.MsSince(started), tokens, relay);
    }

    private static string Kind(string error) => error.Length <= 40 ? error : error[..40];

    private static string Short(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static void Row(MarkdownTable table, string name, Percentiles p) =>
        table.Add(
            name,
            p.Count.ToString("N0", CultureInfo.InvariantCulture),
            Percentiles.Ms(p.P50),
            Percentiles.Ms(p.P95),
            Percentiles.Ms(p.P99),
            Percentiles.Ms(p.Max)
        );
}
