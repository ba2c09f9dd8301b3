using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

/// <summary>
/// "Forgot password?": asks for a reset mail (<c>POST /api/v1/auth/password-reset</c> in the API). The answer is the
/// same whether or not the account exists or has an address, so the page tells a stranger nothing about who is here.
/// </summary>
// The API's reset routes' limit (per address), so the page is no way around it to flood an inbox or guess tokens.
[EnableRateLimiting(Hosting.ProtectionServiceCollectionExtensions.AuthPolicy)]
public sealed class ForgotPasswordModel(PasswordResetService resets, PasswordResetSettings settings) : StoryPageModel
{
    [BindProperty]
    public string? Username { get; set; }

    public bool Sent { get; private set; }

    public int LinkMinutes => (int)settings.TokenLifetime.TotalMinutes;

    public void OnGet() { }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await resets.RequestAsync(Username, HttpContext.Origin(), cancellationToken);
            Sent = true;
            return Page();
        });
}
