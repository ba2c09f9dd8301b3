using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

/// <summary>
/// Two-factor sign-in through <see cref="TwoFactorService"/>, as <c>/api/v1/me/2fa</c> does: start an enrolment,
/// confirm it
/// with a code, turn it off with the password and a code. The secret and the recovery codes exist only in the answer
/// to the post that made them (docs/adr/0027-secrets-shown-once-in-the-web-app.md).
/// </summary>
public sealed class TwoFactorModel(TwoFactorService twoFactor) : StoryPageModel
{
    public TwoFactorStatus Status { get; private set; } = new(false, null, false, 0);

    /// <summary>The secret to add to an authenticator app: set only in the answer to "Set up" (and to a wrong
    /// code).</summary>
    public TwoFactorEnrolment? Enrolment { get; private set; }

    /// <summary>The ten recovery codes: set only in the answer to a right confirmation code.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostBeginAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                Enrolment = await twoFactor.BeginAsync(UserId, cancellationToken);
                NoStore.Apply(Response);
                await LoadAsync(cancellationToken);
                return Page();
            },
            () => LoadAsync(cancellationToken)
        );

    // The form sends back the secret it was showing only so that a wrong code can show it again: the code is checked
    // against the enrolment stored on the server, never against what the form sent.
    public Task<IActionResult> OnPostConfirmAsync(string? code, string? secret, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                RecoveryCodes = await twoFactor.ConfirmAsync(UserId, code, HttpContext.Origin(), cancellationToken);
                NoStore.Apply(Response);
                await LoadAsync(cancellationToken);
                return Page();
            },
            async () =>
            {
                NoStore.Apply(Response);
                if (secret is not null && Base32.Decode(secret) is not null)
                {
                    Enrolment = new TwoFactorEnrolment(
                        secret,
                        Totp.Uri(TwoFactorService.Issuer, User.Identity?.Name ?? "", secret)
                    );
                }
                await LoadAsync(cancellationToken);
            }
        );

    public Task<IActionResult> OnPostDisableAsync(
        string? password,
        string? code,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var (totp, recovery) = TwoFactorEntry.Split(code);
                await twoFactor.DisableAsync(UserId, password, totp, recovery, HttpContext.Origin(), cancellationToken);
                return Done("Two-factor sign-in is off: your password alone signs you in now.", "/account/two-factor");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Status = await twoFactor.StatusAsync(UserId, cancellationToken);
}
