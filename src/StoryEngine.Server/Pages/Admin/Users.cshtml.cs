using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Admin;

/// <summary>Accounts, for admins: find, disable, enable, make admin or user. The admin policy guards the whole folder.</summary>
public sealed class UsersModel(UserAdministration users) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<User> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        await LoadAsync(cancellationToken);
        return Page();
    });

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken cancellationToken) => Change(id,
        () => users.DisableAsync(UserId, id, HttpContext.Origin(), cancellationToken), "disabled; their sessions are signed out", cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken cancellationToken) => Change(id,
        () => users.EnableAsync(UserId, id, HttpContext.Origin(), cancellationToken), "enabled", cancellationToken);

    public Task<IActionResult> OnPostRoleAsync(string id, string? role, CancellationToken cancellationToken) => Change(id,
        () => users.SetRoleAsync(UserId, id, role, HttpContext.Origin(), cancellationToken), $"now {(role == Roles.Admin ? "an admin" : "a user")}", cancellationToken);

    private Task<IActionResult> Change(string id, Func<Task<User>> change, string what, CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        var user = await change();
        return Done($"{user.Username} is {what}.", "/admin/users");
    }, () => LoadAsync(cancellationToken));

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await users.ListAsync(ListQuery.From(50, Cursor, Q, null), cancellationToken);
        Items = page.Items;
        NextCursor = page.NextCursor;
    }
}
