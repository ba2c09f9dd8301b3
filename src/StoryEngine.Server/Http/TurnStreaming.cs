using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Http;

/// <summary>
/// Delivers a narration either as Server-Sent Events (<c>Accept: text/event-stream</c>, a
/// <see cref="TurnEventStream"/>); or, for plain clients, as the stored turn once it is done. The narration
/// itself runs on regardless of the connection, so a client that goes away loses nothing.
/// </summary>
public static class TurnStreaming
{
    public static bool WantsEventStream(HttpRequest request) =>
        request
            .GetTypedHeaders()
            .Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    public static async Task<Results<TurnEventStream, Ok<TurnResponse>, ProblemHttpResult>> RespondAsync(
        HttpContext context,
        TurnRun run,
        bool announce,
        int afterToken = 0
    )
    {
        if (!announce)
        {
            Core.Telemetry.StoryMetrics.Reattaches.Add(1); // announce is false exactly when a client re-attaches
        }
        if (WantsEventStream(context.Request))
        {
            return new TurnEventStream(run, announce, afterToken);
        }
        var outcome = await OutcomeAsync(run, context.RequestAborted);
        return outcome.Succeeded ? TypedResults.Ok(TurnResponse.From(outcome.Turn)) : Failure(outcome);
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

    /// <summary>A failed narration as a problem: the turn (with the player's action) is stored and named in
    /// it.</summary>
    public static ProblemHttpResult Failure(OutcomeItem outcome) =>
        TypedResults.Problem(
            statusCode: outcome.FailureCode switch
            {
                "backend_timeout" => StatusCodes.Status504GatewayTimeout,
                "interrupted" or "storage_failed" or StorageUnavailableException.ProblemCode =>
                    StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status502BadGateway,
            },
            title: "The narration failed",
            detail: outcome.FailureMessage,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = outcome.FailureCode,
                ["turnId"] = outcome.Turn.TurnId,
                ["turn"] = TurnResponse.From(outcome.Turn),
            }
        );
}
