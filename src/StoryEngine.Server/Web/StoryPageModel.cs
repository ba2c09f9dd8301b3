using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Web;

/// <summary>
/// A signed-in page. Handlers run their work through <see cref="AttemptAsync"/>, which turns the application services'
/// typed failures into a <see cref="PageProblem"/> shown above the form (with the right status code), so a refusal
/// reads like the API's problem and the form keeps what was typed: <see cref="Echo"/> gives the refused form the
/// values that were sent and the complaints about each field.
/// </summary>
public abstract class StoryPageModel : PageModel
{
    private string? _handler;

    public PageProblem? Problem { get; protected set; }

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _handler = context.HandlerMethod?.Name;
        base.OnPageHandlerExecuting(context);
    }

    /// <summary>
    /// What the form posted to <paramref name="handler"/> (null: the page's plain <c>OnPost</c>) shows: the values
    /// sent, when it was that form whose post was refused, else nothing. Where one handler serves a form per item (a
    /// location, an entry), <paramref name="key"/> names the hidden field that tells them apart and <paramref
    /// name="value"/> this form's item.
    /// </summary>
    public FormEcho Echo(string? handler = null, string? key = null, string? value = null)
    {
        var request = HttpContext.Request;
        var posted =
            Problem is not null
            && HttpMethods.IsPost(request.Method)
            && request.HasFormContentType
            && string.Equals(handler ?? "", _handler ?? "", StringComparison.OrdinalIgnoreCase)
            && (key is null || request.Form[key] == value);
        return posted ? new FormEcho(request.Form, Problem, $"{request.PathBase}{request.Path}") : FormEcho.None;
    }

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
