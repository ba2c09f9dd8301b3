using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Narration;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Web;

/// <summary>
/// The play view's live narration: the same Server-Sent Events as the API's re-attach route, for the web sign-in.
/// A GET that changes nothing, so it needs no antiforgery token; the browser's EventSource sends Last-Event-ID when
/// it reconnects after a dropped connection, and the stream continues after the last token it saw, without gaps.
/// Not part of the API, so not in the OpenAPI document.
/// </summary>
public static class NarrationStreamEndpoint
{
    public static IEndpointConventionBuilder MapNarrationStream(this IEndpointRouteBuilder app) =>
        app.MapGet("/play/{id}/stream", StreamAsync)
            .RequireAuthorization(WebAuthentication.Policy)
            .ExcludeFromDescription();

    private static async Task<IResult> StreamAsync(
        string id,
        HttpContext context,
        TurnService turns,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        CancellationToken cancellationToken
    )
    {
        var run = await turns.FindRunAsync(context.User.UserId(), id, cancellationToken);
        if (run is null)
        {
            return TypedResults.NoContent(); // nothing in flight: the page shows the stored transcript
        }
        return (
            await TurnStreaming.RespondAsync(context, run, announce: false, afterToken: run.ResumeAfter(lastEventId))
        ).Result;
    }
}
