using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

public sealed class AccountModel(SessionService sessions, PasswordService passwords) : StoryPageModel
{
    public IReadOnlyList<UserSession> Sessions { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public string CurrentSession => User.SessionId();

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostPasswordAsync(
        string? currentPassword,
        string? newPassword,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                await passwords.ChangeAsync(
                    UserId,
                    CurrentSession,
                    currentPassword,
                    newPassword,
                    HttpContext.Origin(),
                    cancellationToken
                );
                return Done("Your password is changed; your other devices are signed out.", "/account");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRevokeAsync(string sessionId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await sessions.RevokeAsync(UserId, sessionId, HttpContext.Origin(), cancellationToken);
                if (sessionId == CurrentSession)
                {
                    await HttpContext.SignOutAsync(WebAuthentication.Scheme);
                    return Done("This device is signed out.", "/signin");
                }
                return Done("That device is signed out.", "/account");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await sessions.ListAsync(UserId, null, Cursor, cancellationToken);
        Sessions = page.Items;
        NextCursor = page.NextCursor;
    }
}
