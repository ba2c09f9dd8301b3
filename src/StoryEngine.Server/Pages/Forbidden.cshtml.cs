using Microsoft.AspNetCore.Mvc.RazorPages;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages;

/// <summary>
/// Where the web sign-in sends a signed-in account that opened a page it may not (an admin page): a 403 that says so,
/// rather than the sign-in form, which would suggest signing in again would help.
/// </summary>
public sealed class ForbiddenModel : PageModel
{
    public PageProblem Problem { get; } =
        PageProblem.Of(
            403,
            "Your account may not open that page: it is for the " + "server's administrators.",
            "Ask an administrator if you think you should be one."
        );

    public void OnGet() => Response.StatusCode = Problem.Status;
}
