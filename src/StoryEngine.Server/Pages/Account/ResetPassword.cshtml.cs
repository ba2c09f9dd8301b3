using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

/// <summary>
/// Where a reset mail's link lands (<see cref="PasswordResetSettings.LinkFor"/>): sets the new password with the
/// token (<c>POST /api/v1/auth/password-reset/confirm</c> in the API), which signs out every session, then sends the
/// person to sign in with it. A weak password keeps the token usable; a used or expired one says to ask again.
/// </summary>
// The API's reset routes' limit (per address), so the page is no way around it to flood an inbox or guess tokens.
[EnableRateLimiting(Hosting.ProtectionServiceCollectionExtensions.AuthPolicy)]
public sealed class ResetPasswordModel(PasswordResetService resets) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    public void OnGet() { }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await resets.ConfirmAsync(Token, NewPassword, HttpContext.Origin(), cancellationToken);
            return Done("Your password is changed. Sign in with the new one.", "/signin");
        });
}
