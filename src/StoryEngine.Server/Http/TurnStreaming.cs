using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Http;

/// <summary>
/// Delivers a narration either as Server-Sent Events (<c>Accept: text/event-stream</c>): turn.accepted, token…,
/// then turn.completed or turn.failed; or, for plain clients, as the stored turn once it is done. The narration
/// itself runs on regardless of the connection, so a client that goes away loses nothing.
/// </summary>
public static class TurnStreaming
{
    public static bool WantsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    public static async Task<Results<ServerSentEventsResult<object>, Ok<TurnResponse>, ProblemHttpResult>> RespondAsync(
        HttpContext context, TurnRun run, bool announce, int afterToken = 0)
    {
        if (WantsEventStream(context.Request))
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no"; // let reverse proxies pass tokens through at once
            return TypedResults.ServerSentEvents(Events(run, announce, afterToken, context.RequestAborted));
        }
        var outcome = await OutcomeAsync(run, context.RequestAborted);
        return outcome.Succeeded
            ? TypedResults.Ok(TurnResponse.From(outcome.Turn))
            : Failure(outcome);
    }

    /// <summary>Waits for the narration to end, skipping its tokens.</summary>
    public static async Task<OutcomeItem> OutcomeAsync(TurnRun run, CancellationToken cancellationToken)
    {
        await foreach (var item in run.ReadAsync(int.MaxValue - 1, cancellationToken))
        {
            if (item is OutcomeItem outcome)
            {
                return outcome;
            }
        }
        throw new InvalidOperationException("A narration stream ended without an outcome.");
    }

    /// <summary>A failed narration as a problem: the turn (with the player's action) is stored and named in it.</summary>
    public static ProblemHttpResult Failure(OutcomeItem outcome) => TypedResults.Problem(
        statusCode: outcome.FailureCode switch
        {
            "backend_timeout" => StatusCodes.Status504GatewayTimeout,
            "interrupted" or "storage_failed" => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        },
        title: "The narration failed",
        detail: outcome.FailureMessage,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = outcome.FailureCode,
            ["turnId"] = outcome.Turn.TurnId,
            ["turn"] = TurnResponse.From(outcome.Turn),
        });

    private static async IAsyncEnumerable<SseItem<object>> Events(TurnRun run, bool announce, int afterToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (announce)
        {
            yield return new SseItem<object>(new TurnAcceptedEvent(run.AdventureId, run.TurnId, run.Alternative), "turn.accepted");
        }
        await foreach (var item in run.ReadAsync(afterToken, cancellationToken))
        {
            yield return item switch
            {
                TokenItem token => new SseItem<object>(new TokenEvent(token.Text), "token") { EventId = run.EventId(token.Index) },
                OutcomeItem { Succeeded: true } done => new SseItem<object>(TurnResponse.From(done.Turn), "turn.completed"),
                OutcomeItem failed => new SseItem<object>(new TurnFailedEvent(failed.FailureCode!, failed.FailureMessage!, TurnResponse.From(failed.Turn)), "turn.failed"),
                _ => throw new InvalidOperationException("Unknown stream item."),
            };
        }
    }
}
