using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

public sealed class SignUpModel(AccountService accounts) : StoryPageModel
{
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public void OnGet() { }

    /// <summary>Creates the account and signs it in at once, the way the API's register then login would.</summary>
    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await accounts.RegisterAsync(Username, Password, isAdmin: false, HttpContext.Origin(), cancellationToken);
            var signedIn = await accounts.SignInAsync(Username, Password, HttpContext.Origin(), cancellationToken);
            await WebAuthentication.SignInAsync(HttpContext, signedIn);
            return Done("Welcome! Start by creating a world.", "/library");
        });
}
