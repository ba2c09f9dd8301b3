using System.Globalization;
using Microsoft.Extensions.AI;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;
using StoryEngine.Providers;
using StoryEngine.Providers.Chain;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Issue 3, benchmark 3: the time to first token the engine adds. A <see cref="RateLimitedBackend"/> answers its
/// first token 50 ms after each request. Three paths are timed in turn, per sample: the OpenAI-compatible adapter
/// called directly (BackendFactory.GetClient, the engine's own pooled HTTP handler), the provider chain over it,
/// and a real turn over HTTP (POST …/turns with SSE) until the first <c>token</c> event.
/// </summary>
internal static class FirstTokenOverhead
{
    private const int Warmup = 10;

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("### 3. Added time to first token");
        output.WriteLine();
        await using var backend = await RateLimitedBackend.StartAsync();
        backend.FirstTokenDelay = TimeSpan.FromMilliseconds(50);
        backend.TokenInterval = TimeSpan.FromMilliseconds(50);
        // Two tokens: enough to be a stream, short enough that 200 samples of three paths take about a minute.
        backend.TokensPerReply = 2;
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(database, backend.HostSettings());
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("ttft", cancellationToken);
        var adventureId = await api.CreateAdventureAsync(user, cancellationToken);
        var adapter = host.Get<BackendFactory>().GetClient("bench");
        var chain = host.Get<BackendChain>();

        var direct = new List<double>();
        var chained = new List<double>();
        var engine = new List<double>();
        // Warm until the JIT has settled (see JitWarmup), then a few more samples before measuring.
        var warmup = await JitWarmup.RunAsync(
            async w =>
            {
                var prompt = Prompt(w);
                await FirstTokenAsync(adapter, prompt, cancellationToken);
                await FirstTokenAsync(chain, prompt, cancellationToken);
                await FirstTokenThroughEngineAsync(http, user, adventureId, w, cancellationToken);
            },
            minSteps: 50,
            maxSteps: 1500,
            maxTime: TimeSpan.FromMinutes(4)
        );
        var cpu = new CpuUsage();
        for (var i = 0; i < Warmup + options.TtftSamples; i++)
        {
            var prompt = Prompt(i);
            var d = await FirstTokenAsync(adapter, prompt, cancellationToken);
            var c = await FirstTokenAsync(chain, prompt, cancellationToken);
            var e = await FirstTokenThroughEngineAsync(http, user, adventureId, i, cancellationToken);
            if (i >= Warmup)
            {
                direct.Add(d);
                chained.Add(c);
                engine.Add(e);
            }
        }

        var cpuUsed = cpu.Describe();
        var table = new MarkdownTable("path", "samples", "p50", "p95", "p99", "max");
        Row(table, "adapter direct (OpenAICompatibleChatClient via BackendFactory)", direct);
        Row(table, "provider chain (BackendChain over the adapter)", chained);
        Row(table, "engine: POST …/turns (SSE) → first `token` event", engine);
        var paired = engine.Zip(direct, (a, b) => a - b).ToList();
        var d50 = new Percentiles(direct);
        var e50 = new Percentiles(engine);
        var diff = new Percentiles(paired);
        output.WriteLine(
            $"Engine {database.Engine}. Backend: first token 50 ms after the request, then one every "
                + $"50 ms, {backend.TokensPerReply} tokens. "
                + $"Warm-up: {warmup}. Then {Warmup} more warm-up and {options.TtftSamples} measured samples; each "
                + "sample times the three "
                + "paths one after another, each read to "
                + "its end before the next starts. Milliseconds from sending the request to the first token. "
                + $"CPU while measuring: {cpuUsed}."
        );
        output.WriteLine();
        table.WriteTo(output);
        var added = new MarkdownTable("engine − adapter", "p50", "p95", "p99", "max");
        added.Add(
            "difference of the distributions",
            Percentiles.Ms(e50.P50 - d50.P50),
            Percentiles.Ms(e50.P95 - d50.P95),
            Percentiles.Ms(e50.P99 - d50.P99),
            Percentiles.Ms(e50.Max - d50.Max)
        );
        added.Add(
            "per-sample difference (same round)",
            Percentiles.Ms(diff.P50),
            Percentiles.Ms(diff.P95),
            Percentiles.Ms(diff.P99),
            Percentiles.Ms(diff.Max)
        );
        added.WriteTo(output);
        output.WriteLine(
            "The engine's path includes authentication, claiming the adventure, committing the action, "
                + "loading the world and transcript, "
                + "building and saving the prompt report, the provider chain, and relaying the token over "
                + "SSE and loopback HTTP."
        );
        output.WriteLine();
    }

    private static IReadOnlyList<ChatMessage> Prompt(int i) =>
        [
            new(
                ChatRole.System,
                ContextBuilder.Instructions
                    + "\n\n# World: The Lantern Coast\nA ragged shoreline of "
                    + "fishing towns strung along cliffs."
            ),
            new(ChatRole.User, "[Action] " + BenchStory.Action(i)),
        ];

    private static async Task<double> FirstTokenAsync(
        IChatClient client,
        IReadOnlyList<ChatMessage> prompt,
        CancellationToken cancellationToken
    )
    {
        var started = Timing.Now();
        double? first = null;
        await foreach (
            var update in client.GetStreamingResponseAsync(
                prompt,
                new ChatOptions { MaxOutputTokens = 1024 },
                cancellationToken
            )
        )
        {
            if (first is null && !string.IsNullOrEmpty(update.Text))
            {
                first = Timing.MsSince(started);
            }
        }
        return first ?? throw new InvalidOperationException("The backend sent no token.");
    }

    private static async Task<double> FirstTokenThroughEngineAsync(
        HttpClient http,
        BenchUser user,
        string adventureId,
        int i,
        CancellationToken cancellationToken
    )
    {
        using var request = StoryApi.TurnRequest(adventureId, user, BenchStory.Action(i));
        var started = Timing.Now();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{(int)response.StatusCode}: " + $"{await response.Content.ReadAsStringAsync(cancellationToken)}"
            );
        }
        double? first = null;
        await foreach (
            var message in SseStream.ReadAsync(
                await response.Content.ReadAsStreamAsync(cancellationToken),
                cancellationToken
            )
        )
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

    private static void Row(MarkdownTable table, string name, List<double> samples)
    {
        var p = new Percentiles(samples);
        table.Add(
            name,
            p.Count.ToString(CultureInfo.InvariantCulture),
            Percentiles.Ms(p.P50),
            Percentiles.Ms(p.P95),
            Percentiles.Ms(p.P99),
            Percentiles.Ms(p.Max)
        );
    }
}
