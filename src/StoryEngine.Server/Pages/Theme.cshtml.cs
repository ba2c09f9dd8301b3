using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages;

/// <summary>
/// Where the header's Theme form posts (signed in or not): remembers the choice and goes back to the page it came
/// from, so choosing a theme works without JavaScript. Opened directly, it shows the same choice as a page.
/// </summary>
public sealed class ThemeModel : PageModel
{
    public string Current { get; private set; } = Theme.System;

    public void OnGet() => Current = Theme.Of(Request);

    public IActionResult OnPost(string? theme, string? returnUrl)
    {
        Theme.Remember(Response, theme);
        if (Request.Headers.XRequestedWith == "fetch")
        {
            return new NoContentResult(); // theme.js already switched the page
        }
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
