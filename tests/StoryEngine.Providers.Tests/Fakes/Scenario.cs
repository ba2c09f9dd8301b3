using System.Text;
using Microsoft.AspNetCore.Http;

namespace StoryEngine.Providers.Tests.Fakes;

/// <summary>What a fake backend does with one chat request.</summary>
public delegate Task Scenario(HttpContext context, Dialect dialect, CancellationToken serverStopping);

public static class Scenarios
{
    public const string Model = "test-model";

    /// <summary>A normal streamed answer (or a plain JSON one when the client did not ask to stream).</summary>
    public static Scenario Answer(params string[] tokens) =>
        Answer(tokens, inputTokens: 12, outputTokens: tokens.Length);

    public static Scenario Answer(IReadOnlyList<string> tokens, int inputTokens, int outputTokens) =>
        async (context, dialect, _) =>
        {
            if (await IsStreamingRequestAsync(context))
            {
                context.Response.ContentType = dialect.StreamContentType;
                foreach (var frame in dialect.StreamFrames(Model, tokens, inputTokens, outputTokens))
                {
                    await WriteAndFlushAsync(context, frame);
                }
            }
            else
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    dialect.NonStreamingBody(Model, string.Concat(tokens), inputTokens, outputTokens)
                );
            }
        };

    public static Scenario Status(int status, string message = "the server fell over") =>
        async (context, dialect, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(dialect.ErrorBody(status, message));
        };

    /// <summary>Accepts the request and never answers, not even with headers.</summary>
    public static Scenario Hang() =>
        async (context, _, stopping) =>
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        };

    /// <summary>
    /// Streams the first <paramref name="framesBeforeCut"/> frames of an answer, waits until <paramref name="cut"/>
    /// completes, then drops the connection. Waiting matters: an abort sends a TCP reset, and a reset makes the
    /// client's kernel throw away bytes it has not read yet, so the test signals once it has seen the tokens.
    /// </summary>
    public static Scenario CutAfter(int framesBeforeCut, Task cut, params string[] tokens) =>
        async (context, dialect, stopping) =>
        {
            context.Response.ContentType = dialect.StreamContentType;
            foreach (var frame in dialect.StreamFrames(Model, tokens, 12, tokens.Length).Take(framesBeforeCut))
            {
                await WriteAndFlushAsync(context, frame);
            }
            await cut.WaitAsync(stopping);
            context.Abort();
        };

    /// <summary>Streams the first <paramref name="framesBefore"/> frames, waits for <paramref name="resume"/>, then
    /// streams the rest.</summary>
    public static Scenario PauseAfter(int framesBefore, Task resume, params string[] tokens) =>
        async (context, dialect, stopping) =>
        {
            context.Response.ContentType = dialect.StreamContentType;
            var frames = dialect.StreamFrames(Model, tokens, 12, tokens.Length);
            foreach (var frame in frames.Take(framesBefore))
            {
                await WriteAndFlushAsync(context, frame);
            }
            await resume.WaitAsync(stopping);
            foreach (var frame in frames.Skip(framesBefore))
            {
                await WriteAndFlushAsync(context, frame);
            }
        };

    /// <summary>Streams the first frames, then goes silent with the connection open.</summary>
    public static Scenario StallAfter(int framesBeforeStall, params string[] tokens) =>
        async (context, dialect, stopping) =>
        {
            context.Response.ContentType = dialect.StreamContentType;
            foreach (var frame in dialect.StreamFrames(Model, tokens, 12, tokens.Length).Take(framesBeforeStall))
            {
                await WriteAndFlushAsync(context, frame);
            }
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        };

    /// <summary>Streams the first frames, then a frame that is not valid for the dialect, then keeps the connection
    /// open.</summary>
    public static Scenario MalformedAfter(int framesBefore, params string[] tokens) =>
        async (context, dialect, stopping) =>
        {
            context.Response.ContentType = dialect.StreamContentType;
            foreach (var frame in dialect.StreamFrames(Model, tokens, 12, tokens.Length).Take(framesBefore))
            {
                await WriteAndFlushAsync(context, frame);
            }
            await WriteAndFlushAsync(context, dialect.MalformedFrame);
            // Keep the connection open: the client must fail on the bad frame itself, not on the end of the body.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            await Task.Delay(TimeSpan.FromSeconds(20), either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        };

    private static async Task WriteAndFlushAsync(HttpContext context, string frame)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame));
        await context.Response.Body.FlushAsync();
    }

    private static async Task<bool> IsStreamingRequestAsync(HttpContext context)
    {
        var body = await FakeBackend.ReadBodyAsync(context.Request);
        return body.Contains("\"stream\":true", StringComparison.Ordinal);
    }
}
