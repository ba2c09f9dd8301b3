using System.Net.ServerSentEvents;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Http;

/// <summary>
/// A narration as Server-Sent Events: turn.accepted (for a new narration), token…, then turn.completed or
/// turn.failed. Its own result, so the headers that keep a stream flowing through proxies go with the stream and not
/// with each endpoint that answers with one. The narration runs on whatever happens to the connection.
/// </summary>
public sealed class TurnEventStream : IResult, IEndpointMetadataProvider
{
    private readonly TurnRun _run;
    private readonly bool _announce;
    private readonly int _afterToken;

    /// <param name="run">The narration, in flight or just finished.</param>
    /// <param name="announce">Whether the stream starts with turn.accepted (a new narration, not a re-attach).</param>
    /// <param name="afterToken">The last token the client has seen (from Last-Event-ID); the stream goes on after
    /// it.</param>
    public TurnEventStream(TurnRun run, bool announce, int afterToken = 0)
    {
        _run = run;
        _announce = announce;
        _afterToken = afterToken;
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.CacheControl = "no-cache";
        httpContext.Response.Headers["X-Accel-Buffering"] = "no"; // let reverse proxies pass tokens through at once
        return TypedResults.ServerSentEvents(Events(httpContext.RequestAborted)).ExecuteAsync(httpContext);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Populate<ServerSentEventsResult<object>>(method, builder);

    private static void Populate<T>(MethodInfo method, EndpointBuilder builder)
        where T : IEndpointMetadataProvider => T.PopulateMetadata(method, builder);

    private async IAsyncEnumerable<SseItem<object>> Events([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var open = StreamTelemetry.Opened();
        if (_announce)
        {
            yield return new SseItem<object>(
                new TurnAcceptedEvent(_run.AdventureId, _run.TurnId, _run.Alternative),
                "turn.accepted"
            );
        }
        await foreach (var item in _run.ReadAsync(_afterToken, cancellationToken))
        {
            yield return item switch
            {
                TokenItem token => new SseItem<object>(new TokenEvent(token.Text), "token")
                {
                    EventId = _run.EventId(token.Index),
                },
                OutcomeItem { Succeeded: true } done => new SseItem<object>(
                    TurnResponse.From(done.Turn),
                    "turn.completed"
                ),
                OutcomeItem failed => new SseItem<object>(
                    new TurnFailedEvent(failed.FailureCode!, failed.FailureMessage!, TurnResponse.From(failed.Turn)),
                    "turn.failed"
                ),
                _ => throw new InvalidOperationException("Unknown stream item."),
            };
        }
    }
}
