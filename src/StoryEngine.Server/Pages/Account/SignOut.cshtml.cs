using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

public sealed class SignOutModel(SessionService sessions) : StoryPageModel
{
    public void OnGet() { }

    /// <summary>Ends the session itself, not only the cookie: a copied cookie stops working too.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await sessions.LogoutAsync(UserId, User.SessionId(), HttpContext.Origin(), cancellationToken);
        await HttpContext.SignOutAsync(WebAuthentication.Scheme);
        return Done("You are signed out.", "/signin");
    }
}
