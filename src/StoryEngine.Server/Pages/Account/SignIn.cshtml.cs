using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

public sealed class SignInModel(AccountService accounts) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    /// <summary>For accounts with two-factor sign-in: the authenticator's 6 digits, or one of the recovery
    /// codes.</summary>
    [BindProperty]
    public string? TwoFactorCode { get; set; }

    public void OnGet() { }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            var (code, recoveryCode) = TwoFactorEntry.Split(TwoFactorCode);
            var signedIn = await accounts.SignInAsync(
                Username,
                Password,
                code,
                recoveryCode,
                HttpContext.Origin(),
                cancellationToken
            );
            await WebAuthentication.SignInAsync(HttpContext, signedIn);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/library");
        });
}
