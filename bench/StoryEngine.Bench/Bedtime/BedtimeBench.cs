using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;

namespace StoryEngine.Bench.Bedtime;

/// <summary>
/// Issue 25: how soon a bedtime story can be heard. The real host (SQLite or PostgreSQL) with real espeak-ng and lame;
/// the model is in-process and instant (<see cref="InstantBedtimeModel"/>), so the numbers are the engine's and the
/// speech's, not a model's. For each run: POST a story of <c>--minutes</c>, follow its events, and time the first
/// chapter's text, the first chapter's audio (first playable audio), and the whole story ready; then the audio's bytes
/// per minute.
/// </summary>
internal static class BedtimeBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var minutes = Option(args, "--minutes", 10);
        var runs = Option(args, "--runs", 3);
        var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault();
        await using var database = await BenchDatabase.CreateAsync(postgres);
        var model = new InstantBedtimeModel();
        await using var host = await BenchHost.StartAsync(
            database,
            new Dictionary<string, string?> { ["RateLimits:BedtimePerMinute"] = "100000" },
            model,
            model
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var rows = new List<(double Text, double Audio, double Ready, long Bytes, int DurationMs, int Chapters)>();
        for (var run = 0; run <= runs; run++) // run 0 warms up the host, the JIT and espeak-ng's data
        {
            var user = await api.RegisterAsync("bedtime" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
            var clock = Stopwatch.StartNew();
            var accepted = await (
                await http.PostAsJsonAsync(
                    "/api/v1/bedtime-stories",
                    new
                    {
                        childName = "Ada",
                        ageBand = "5-7",
                        theme = "a lighthouse cat",
                        minutes,
                    }
                )
            ).Content.ReadFromJsonAsync<JsonElement>();
            var id = accepted.GetProperty("story").GetProperty("id").GetString()!;
            double? text = null,
                audio = null,
                ready = null;
            using var stream = await http.GetStreamAsync($"/api/v1/bedtime-stories/{id}/events");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                var at = clock.Elapsed.TotalMilliseconds;
                if (line == "event: chapter")
                {
                    text ??= at;
                }
                else if (line == "event: audio")
                {
                    audio ??= at;
                }
                else if (line == "event: done")
                {
                    ready = at;
                    break;
                }
            }
            var story = await http.GetFromJsonAsync<JsonElement>($"/api/v1/bedtime-stories/{id}");
            var whole = await http.GetByteArrayAsync($"/api/v1/bedtime-stories/{id}/audio");
            if (run > 0)
            {
                rows.Add(
                    (
                        text!.Value,
                        audio!.Value,
                        ready!.Value,
                        whole.LongLength,
                        story.GetProperty("durationMs").GetInt32(),
                        story.GetProperty("chapterCount").GetInt32()
                    )
                );
            }
        }
        output.WriteLine(
            $"- engine: {database.Engine}; story: {minutes} minutes asked, {rows[0].Chapters} chapters; "
                + $"{runs} runs after one warm-up; speech: espeak-ng + lame (MP3 32 kbit/s)"
        );
        output.WriteLine();
        output.WriteLine(
            "| run | first chapter text (ms) | first playable audio (ms) | audio after text (ms) "
                + "| whole story ready (ms) | audio length (s) | bytes | bytes per minute |"
        );
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            output.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {i + 1} | {r.Text:0} | {r.Audio:0} | {r.Audio - r.Text:0} | {r.Ready:0} | "
                        + $"{r.DurationMs / 1000.0:0.0} | {r.Bytes:N0} | {r.Bytes / (r.DurationMs / 60000.0):N0} |"
                )
            );
        }
        output.WriteLine();
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length
            ? int.Parse(args[index + 1], CultureInfo.InvariantCulture)
            : fallback;
    }
}

/// <summary>An instant model for the bedtime bench: each chapter request gets a chapter of the length asked for, in
/// plain bedtime sentences; each guard check answers suitable.</summary>
internal sealed class InstantBedtimeModel : INarrator, IUtilityModel, IChatClient
{
    private static readonly string[] Sentences =
    [
        "The little cat climbed the winding stairs of the lighthouse.",
        "Far below, the sea hummed a slow and sleepy song.",
        "Ada held the lantern high, and its light was warm and gold.",
        "A gull settled on the railing and tucked its head beneath its wing.",
        "The stars came out one by one, like candles in a window.",
        "Together they counted the boats that were coming safely home.",
    ];

    public IChatClient Client => this;

    public NarratorSettings Settings { get; } = new(8_192, 1_024, "bench-bedtime");

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var prompt = string.Join("\n", messages.Select(m => m.Text));
        var answer = prompt.Contains("Bedtime check", StringComparison.Ordinal)
            ? """{"suitable":true,"problems":[]}"""
            : Chapter(prompt);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = "bench" });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    ) => throw new NotSupportedException("Bedtime chapters are not streamed.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    private static string Chapter(string prompt)
    {
        var words = System.Text.RegularExpressions.Regex.Match(prompt, @"about (\d+) words") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : 300;
        var text = new StringBuilder();
        for (var i = 0; text.Length / 5.5 < words; i++)
        {
            text.Append(Sentences[i % Sentences.Length]).Append(' ');
        }
        return JsonSerializer.Serialize(
            new
            {
                storyTitle = "The Lighthouse Cat",
                title = "A quiet night",
                text = text.ToString().Trim(),
            }
        );
    }
}
