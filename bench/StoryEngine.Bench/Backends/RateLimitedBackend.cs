using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using StoryEngine.Bench.Harness;

namespace StoryEngine.Bench.Backends;

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 (port 0) in the bench process that streams at a
/// fixed rate: the first token <see cref="FirstTokenDelay"/> after the request, then one every
/// <see cref="TokenInterval"/>, each on a schedule fixed at the start (so a late token does not push the rest
/// back). With <see cref="StampTokens"/> each token's text is <c>" @TICKS;"</c>: the Stopwatch timestamp at which it
/// was
/// written, so a client in the same process can tell how long the token took to reach it.
/// </summary>
internal sealed class RateLimitedBackend : IAsyncDisposable
{
    public const string Model = "bench-stream";
    private readonly WebApplication _app;
    private int _requests;
    private int _slotCount;
    private SemaphoreSlim? _slots;

    private RateLimitedBackend(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan TokenInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    public int TokensPerReply { get; set; } = 3;

    public bool StampTokens { get; set; }

    /// <summary>Calls the server works on at once, like llama.cpp's <c>--parallel</c> slots (0: no limit); the rest
    /// wait inside the server, first come first served, and their schedule starts when they get a slot.</summary>
    public int Slots
    {
        get => _slotCount;
        set
        {
            _slotCount = value;
            _slots = value > 0 ? new SemaphoreSlim(value, value) : null;
        }
    }

    /// <summary>When set, the whole reply's text for a request body (the chat-completions JSON), sent as the
    /// first of <see cref="TokensPerReply"/> tokens (the rest empty): a scripted answer instead of filler
    /// words.</summary>
    public Func<string, string>? Answer { get; set; }

    public int Requests => _requests;

    /// <summary>How late each token left against its schedule, in ms (only while stamping): the backend's own share of
    /// a delay.</summary>
    public ConcurrentQueue<double> Lateness { get; } = new();

    /// <summary>Settings that make the host's narrator chain this one backend, with no retries hiding a
    /// failure.</summary>
    public Dictionary<string, string?> HostSettings() =>
        new()
        {
            ["Backends:bench:Kind"] = "openai",
            ["Backends:bench:BaseUrl"] = BaseUrl,
            ["Backends:bench:Model"] = Model,
            ["Backends:bench:ContextTokens"] = "8192",
            ["Narrator:Backends:0"] = "bench",
            ["Narrator:MaxRetries"] = "0",
        };

    public static async Task<RateLimitedBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new RateLimitedBackend(app);
        app.MapGet("/v1/models", () =>
            Results.Json(new { @object = "list", data = new[] { new { id = Model, @object = "model" } } })
        );
        app.MapPost("/v1/chat/completions", backend.CompleteAsync);
        await app.StartAsync();
        backend.BaseUrl =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            + "/v1";
        return backend;
    }

    /// <summary>The send timestamps carried in a streamed text (one per token).</summary>
    public static IEnumerable<long> Stamps(string text)
    {
        var at = 0;
        while ((at = text.IndexOf('@', at)) >= 0)
        {
            var end = text.IndexOf(';', at);
            if (end < 0)
            {
                yield break;
            }
            if (
                long.TryParse(
                    text.AsSpan(at + 1, end - at - 1),
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var stamp
                )
            )
            {
                yield return stamp;
            }
            at = end;
        }
    }

    private async Task CompleteAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var aborted = context.RequestAborted;
        var slots = _slots;
        if (slots is not null)
        {
            await slots.WaitAsync(aborted);
        }
        try
        {
            await StreamAsync(context, aborted);
        }
        finally
        {
            slots?.Release();
        }
    }

    private async Task StreamAsync(HttpContext context, CancellationToken aborted)
    {
        var start = Timing.Now();
        string? answer = null;
        if (Answer is { } script)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            answer = script(await reader.ReadToEndAsync(aborted));
        }
        else
        {
            await context.Request.Body.CopyToAsync(Stream.Null, aborted);
        }
        context.Response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..12];
        var tokens = TokensPerReply;
        var stamp = StampTokens;
        var words = BenchStory.NarrationTokensFor(id.GetHashCode(StringComparison.Ordinal), tokens);
        for (var i = 0; i < tokens; i++)
        {
            var due =
                start
                + (long)((FirstTokenDelay + TokenInterval * i).TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            var wait = Timing.MsBetween(Timing.Now(), due);
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), aborted);
            }
            var sent = Timing.Now();
            if (stamp)
            {
                Lateness.Enqueue(Timing.MsBetween(due, sent));
            }
            var text =
                answer is not null ? (i == 0 ? Escaped(answer) : "")
                : stamp ? " @" + sent.ToString(CultureInfo.InvariantCulture) + ";"
                : words[i];
            var role = i == 0 ? "\"role\":\"assistant\"," : "";
            await WriteAsync(
                context,
                Chunk(id, "[{\"index\":0,\"delta\":{" + role + "\"content\":\"" + text + "\"},\"finish_reason\":null}]")
            );
        }
        await WriteAsync(context, Chunk(id, "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]"));
        await WriteAsync(
            context,
            Chunk(
                id,
                "[],\"usage\":{\"prompt_tokens\":1500,\"completion_tokens\":"
                    + tokens.ToString(CultureInfo.InvariantCulture)
                    + ",\"total_tokens\":"
                    + (1500 + tokens).ToString(CultureInfo.InvariantCulture)
                    + "}"
            )
        );
        await context.Response.WriteAsync("data: [DONE]\n\n", aborted);
    }

    /// <summary>A chat.completion.chunk; <paramref name="choices"/> is the raw JSON from the choices array
    /// on.</summary>
    private static string Chunk(string id, string choices) =>
        "{\"id\":\""
        + id
        + "\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
        + Model
        + "\",\"choices\":"
        + choices
        + "}";

    // The text as it goes between the quotes of a JSON string.
    private static string Escaped(string text)
    {
        var quoted = System.Text.Json.JsonSerializer.Serialize(text);
        return quoted[1..^1];
    }

    private static async Task WriteAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
