using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Hosting;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages;

/// <summary>The page every failed page request ends on: the problem in a sentence and what to do, with its real status
/// code.</summary>
[IgnoreAntiforgeryToken] // a failed POST is re-executed here; the page itself changes nothing
// a request refused for its rate is re-executed here, and must get this page rather than another empty 429
[DisableRateLimiting]
public sealed class ErrorModel : PageModel
{
    public PageProblem Problem { get; private set; } = PageProblem.Of(500, "", "");

    public string Heading =>
        Problem.Status switch
        {
            404 => "Not found",
            400 => "That request could not be used",
            403 => "Not allowed",
            429 => "Too many requests",
            503 => "Unavailable for a moment",
            _ => "Something went wrong",
        };

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        var error = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        Problem = error switch
        {
            StoryEngineException e => PageProblem.From(e),
            DbException => PageProblem.Of(
                503,
                "The database cannot be reached right now.",
                "Try again in a minute. Nothing you had already saved is lost."
            ),
            BadHttpRequestException bad => PageProblem.Of(bad.StatusCode, bad.Message, "Go back and try again."),
            not null => PageProblem.Of(
                500,
                "The server failed to show this page.",
                "Try again; if it keeps " + "happening, tell the server's administrator."
            ),
            null => status switch
            {
                404 => PageProblem.Of(
                    404,
                    "There is no page at this address.",
                    "Check the address, or start again " + "from your library."
                ),
                400 => PageProblem.Of(
                    400,
                    "The form could not be accepted: it was incomplete or had expired.",
                    "Reload the page and send the form again."
                ),
                403 => PageProblem.Of(
                    403,
                    "Your account may not open this page.",
                    "Ask the server's administrator " + "if you think it should."
                ),
                429 => PageProblem.Of(
                    429,
                    "Too many requests in a short time. "
                        + ProtectionServiceCollectionExtensions.SlowDown(RetryAfter()),
                    "Wait that long, then reload the page or send the form again."
                ),
                { } other => PageProblem.Of(other, "The request could not be completed.", "Go back and try again."),
                null => PageProblem.Of(404, "There is no page at this address.", "Start again from your library."),
            },
        };
        Response.StatusCode = Problem.Status;
    }

    // The rate limiter set Retry-After on the refused request, whose response this re-execution continues.
    private string RetryAfter() => Response.Headers.RetryAfter is { Count: > 0 } seconds ? seconds.ToString() : "60";
}
