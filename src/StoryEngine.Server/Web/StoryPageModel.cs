using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Web;

/// <summary>
/// A signed-in page. Handlers run their work through <see cref="AttemptAsync"/>, which turns the application services'
/// typed failures into a <see cref="PageProblem"/> shown above the form (with the right status code), so a refusal
/// reads like the API's problem and the form keeps what was typed.
/// </summary>
public abstract class StoryPageModel : PageModel
{
    public PageProblem? Problem { get; protected set; }

    /// <summary>A one-line confirmation carried over a redirect ("Saved.").</summary>
    [TempData]
    public string? Flash { get; set; }

    protected string UserId => User.UserId();

    /// <summary>
    /// Runs <paramref name="action"/>; on a typed failure shows it and re-renders the page after <paramref
    /// name="reload"/>
    /// has loaded what the page displays.
    /// </summary>
    protected async Task<IActionResult> AttemptAsync(Func<Task<IActionResult>> action, Func<Task>? reload = null)
    {
        try
        {
            return await action();
        }
        catch (StoryEngineException e)
        {
            Problem = PageProblem.From(e);
            Response.StatusCode = Problem.Status;
            if (reload is not null)
            {
                await reload();
            }
            return Page();
        }
    }

    /// <summary>Back to where the person came from after a successful post (post/redirect/get), with a
    /// confirmation.</summary>
    protected IActionResult Done(string flash, string url)
    {
        Flash = flash;
        return LocalRedirect(url);
    }
}
