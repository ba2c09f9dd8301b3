using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;

namespace StoryEngine.Bench.Cluster;

/// <summary>
/// Issue 21: many concurrent narrations spread over two nodes on one PostgreSQL (and Redis with --redis), each
/// started on one node and followed from the other, so every token a client reads has crossed the relay. A paced model
/// writes the moment it produced each token into the token; the client subtracts it from the moment it read it (both
/// nodes and the clients share this process's clock). Tokens produced before the client re-attached (the catch-up)
/// are left out of the latency. Usage: <c>cluster-streams --postgres CS [--redis CONFIG] [--streams N] [--tokens N]
/// [--interval-ms N]</c>.
/// </summary>
internal static class ClusterStreamsBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? postgres = null,
            redis = null;
        int streams = 1000,
            tokens = 40,
            intervalMs = 100;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--postgres":
                    postgres = args[++i];
                    break;
                case "--redis":
                    redis = args[++i];
                    break;
                case "--streams":
                    streams = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--tokens":
                    tokens = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--interval-ms":
                    intervalMs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        if (postgres is null)
        {
            Console.Error.WriteLine("cluster-streams needs --postgres (two nodes share one PostgreSQL)");
            return 2;
        }

        await using var database = await BenchDatabase.CreateAsync(postgres);
        var narrator = new PacedNarrator(tokens, TimeSpan.FromMilliseconds(intervalMs));
        var settings = new Dictionary<string, string?>();
        if (redis is not null)
        {
            settings["Redis:Configuration"] = redis;
            settings["Redis:Prefix"] = "se-bench-" + Guid.NewGuid().ToString("N")[..8] + ":";
        }
        // Narrations only: the follow-up jobs would call the (absent) utility model.
        settings["Jobs:Enabled"] = "false";
        // Two nodes in one process would share one Npgsql pool; a node of its own has a pool of its own.
        settings["Cluster:NodeId"] = "bench-a";
        settings["ConnectionStrings:Postgres"] = database.ConnectionString + ";Application Name=bench-a";
        await using var a = await BenchHost.StartAsync(database, settings, narrator);
        settings["Cluster:NodeId"] = "bench-b";
        settings["ConnectionStrings:Postgres"] = database.ConnectionString + ";Application Name=bench-b";
        await using var b = await BenchHost.StartAsync(database, settings, narrator);
        using var onA = StoryApi.CreateClient(a.BaseAddress);
        using var onB = StoryApi.CreateClient(b.BaseAddress);
        var api = new StoryApi(onA);
        var user = await api.RegisterAsync("cluster-bench", CancellationToken.None);
        var first = await api.CreateAdventureAsync(user, CancellationToken.None);
        using var read = StoryApi.Request(HttpMethod.Get, $"/api/v1/adventures/{first}", user);
        var adventure = await (await onA.SendAsync(read)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var adventures = new List<string> { first };
        Console.Error.WriteLine($"creating {streams} adventures...");
        for (var i = 1; i < streams; i++)
        {
            adventures.Add(
                await api.PostAsync(
                    user,
                    "/api/v1/adventures",
                    new
                    {
                        worldId = adventure.GetProperty("worldId").GetString(),
                        personaId = adventure.GetProperty("personaId").GetString(),
                        characterIds = adventure
                            .GetProperty("characterIds")
                            .EnumerateArray()
                            .Select(c => c.GetString())
                            .ToArray(),
                    },
                    CancellationToken.None
                )
            );
        }

        Console.Error.WriteLine($"{streams} narrations, each started on one node and followed from the other...");
        var latencies = new System.Collections.Concurrent.ConcurrentBag<(long Produced, double Ms)>();
        var lastAttached = 0L;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var completed = 0;
        var relayed = 0L;
        var clock = Stopwatch.StartNew();
        var whole = Costs.Now(0);
        Costs? allLive = null;
        var attachedCount = 0;
        await Task.WhenAll(
            adventures.Select(
                (id, i) =>
                    Task.Run(async () =>
                    {
                        var (starter, follower) = i % 2 == 0 ? (onA, onB) : (onB, onA);
                        try
                        {
                            using (var start = StoryApi.TurnRequest(id, user, "go"))
                            using (
                                var response = await starter.SendAsync(start, HttpCompletionOption.ResponseHeadersRead)
                            )
                            {
                                response.EnsureSuccessStatusCode();
                                await foreach (
                                    var e in SseStream.ReadAsync(await response.Content.ReadAsStreamAsync(), default)
                                )
                                {
                                    if (e.Event == "turn.accepted")
                                    {
                                        break; // the client leaves the node that narrates
                                    }
                                }
                            }
                            var attached = Stopwatch.GetTimestamp();
                            InterlockedMax(ref lastAttached, attached);
                            if (Interlocked.Increment(ref attachedCount) == streams)
                            {
                                allLive = Costs.Now(Interlocked.Read(ref relayed));
                            }
                            using var follow = StoryApi.Request(
                                HttpMethod.Get,
                                $"/api/v1/adventures/{id}/stream",
                                user
                            );
                            follow.Headers.Accept.ParseAdd("text/event-stream");
                            using var stream = await follower.SendAsync(
                                follow,
                                HttpCompletionOption.ResponseHeadersRead
                            );
                            if (stream.StatusCode != HttpStatusCode.OK)
                            {
                                errors.Add($"re-attach answered {(int)stream.StatusCode}");
                                return;
                            }
                            var ended = false;
                            await foreach (
                                var e in SseStream.ReadAsync(await stream.Content.ReadAsStreamAsync(), default)
                            )
                            {
                                if (e.Event == "token")
                                {
                                    Interlocked.Increment(ref relayed);
                                    var produced = PacedNarrator.ProducedAt(e.Data);
                                    if (produced > attached)
                                    {
                                        latencies.Add((produced, Stopwatch.GetElapsedTime(produced).TotalMilliseconds));
                                    }
                                }
                                else if (e.Event == "turn.completed")
                                {
                                    ended = true;
                                    Interlocked.Increment(ref completed);
                                }
                                else if (e.Event == "turn.failed")
                                {
                                    ended = true;
                                    errors.Add("turn.failed: " + e.Data[..Math.Min(120, e.Data.Length)]);
                                }
                            }
                            if (!ended)
                            {
                                errors.Add("stream ended without an outcome");
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException)
                        {
                            errors.Add(e.GetType().Name + ": " + e.Message);
                        }
                    })
            )
        );
        var elapsed = clock.Elapsed;
        var end = Costs.Now(relayed);
        var relay = new Percentiles([.. latencies.Select(l => l.Ms)]);
        // Once every stream is attached the burst of starting 1,000 narrations at once is over (that admission is
        // issue 19's); what is left is the relay itself, with every stream live.
        var steady = latencies.Where(l => l.Produced > lastAttached).Select(l => l.Ms).ToList();
        output.WriteLine($"## Streams across two nodes (issue 21) — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine();
        output.WriteLine($"- bus: {(redis is null ? "PostgreSQL LISTEN/NOTIFY" : "Redis pub/sub")}");
        output.WriteLine(
            $"- {streams} narrations of {tokens} tokens, one every {intervalMs} ms, half started on each node and "
                + "each read from the other node"
        );
        output.WriteLine($"- load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        // Both nodes and the clients are this one process: its collections pause them all. The whole run includes
        // starting every narration; once all are attached what is left is the relay.
        var gc = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
        var concurrent = System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Interactive;
        output.WriteLine(
            $"- GC {gc}{(concurrent ? ", concurrent" : "")}; costs of this process (both nodes and the clients; "
                + "PostgreSQL apart):"
        );
        output.WriteLine($"  - whole run: {end.Since(whole)}");
        if (allLive is { } attachedAll)
        {
            output.WriteLine($"  - once every stream was attached: {end.Since(attachedAll)}");
        }
        output.WriteLine();
        output.WriteLine("| streams | completed | errors | tokens relayed | relay p50 | p95 | p99 | max | wall |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        output.WriteLine(
            $"| {streams} | {completed} | {errors.Count} | {relayed} | {Percentiles.Ms(relay.P50)} | "
                + $"{Percentiles.Ms(relay.P95)} | {Percentiles.Ms(relay.P99)} | {Percentiles.Ms(relay.Max)} | "
                + $"{elapsed.TotalSeconds:F1} s |"
        );
        if (steady.Count > 0)
        {
            var live = new Percentiles(steady);
            output.WriteLine();
            output.WriteLine(
                $"Tokens produced after the last stream re-attached (all {streams} live): {steady.Count:N0}; relay p50 "
                    + $"{Percentiles.Ms(live.P50)}, p95 {Percentiles.Ms(live.P95)}, p99 {Percentiles.Ms(live.P99)}, "
                    + $"max {Percentiles.Ms(live.Max)} ms."
            );
        }
        foreach (var error in errors.GroupBy(e => e).OrderByDescending(g => g.Count()).Take(5))
        {
            output.WriteLine();
            output.WriteLine($"- {error.Count()} × {error.Key}");
        }
        return 0;
    }

    /// <summary>What the process had spent at one moment: CPU, allocation, collections and pauses.</summary>
    private readonly record struct Costs(
        TimeSpan Cpu,
        long Allocated,
        TimeSpan Paused,
        int Gen0,
        int Gen1,
        int Gen2,
        long Relayed
    )
    {
        public static Costs Now(long relayed) =>
            new(
                Process.GetCurrentProcess().TotalProcessorTime,
                GC.GetTotalAllocatedBytes(),
                GC.GetTotalPauseDuration(),
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2),
                relayed
            );

        public string Since(Costs start)
        {
            var tokens = Math.Max(1, Relayed - start.Relayed);
            var allocated = Allocated - start.Allocated;
            return $"{Relayed - start.Relayed:N0} tokens relayed; CPU {(Cpu - start.Cpu).TotalSeconds:F1} s "
                + $"({(Cpu - start.Cpu).TotalMicroseconds / tokens:F0} µs a token); {allocated / 1e6:F0} MB allocated "
                + $"({allocated / 1024.0 / tokens:F1} KB a token); collections gen0/1/2 {Gen0 - start.Gen0}/"
                + $"{Gen1 - start.Gen1}/{Gen2 - start.Gen2}, {(Paused - start.Paused).TotalMilliseconds:F0} ms paused";
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>A model that writes one token every <c>interval</c>, each carrying the moment it was
    /// produced.</summary>
    private sealed class PacedNarrator(int tokens, TimeSpan interval) : INarrator, IChatClient
    {
        public IChatClient Client => this;

        public NarratorSettings Settings { get; } = new(8_192, 1_024, "bench-paced");

        public static long ProducedAt(string data)
        {
            var start = data.IndexOf('[', StringComparison.Ordinal) + 1;
            var end = data.IndexOf(']', start);
            return long.Parse(data.AsSpan(start, end - start), CultureInfo.InvariantCulture);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default
        )
        {
            for (var i = 0; i < tokens; i++)
            {
                await Task.Delay(interval, cancellationToken);
                yield return new ChatResponseUpdate(ChatRole.Assistant, $"[{Stopwatch.GetTimestamp()}] ");
            }
        }

        public async Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        )
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                updates.Add(update);
            }
            return updates.ToChatResponse();
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose() { }
    }
}
