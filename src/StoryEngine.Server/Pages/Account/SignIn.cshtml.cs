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

    /// <summary>For accounts with two-factor sign-in: the authenticator's 6 digits, or one of the recovery codes.</summary>
    [BindProperty]
    public string? TwoFactorCode { get; set; }

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        var entered = TwoFactorCode?.Trim();
        var isTotp = entered is { Length: 6 } && entered.All(char.IsAsciiDigit);
        var signedIn = await accounts.SignInAsync(Username, Password, isTotp ? entered : null,
            isTotp || string.IsNullOrEmpty(entered) ? null : entered, HttpContext.Origin(), cancellationToken);
        await WebAuthentication.SignInAsync(HttpContext, signedIn);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/library");
    });
}
