using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Admin;

/// <summary>
/// Accounts, for admins: find, disable, enable, make admin or user, put on a tier, give quotas of their own. The admin
/// policy guards the whole folder; every change goes through the service the admin API uses, which audits it.
/// </summary>
public sealed class UsersModel(UserAdministration users, TierAdministration tierAdministration, TierCatalog tiers)
    : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<User> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    /// <summary>The configured tiers, for the tier choice.</summary>
    public IEnumerable<string> TierNames => tiers.All.Select(t => t.Name).Order(StringComparer.Ordinal);

    /// <summary>The tier a user is on: theirs, or the default for one without (or one whose tier left the
    /// configuration).</summary>
    public string TierOf(User user) => tiers.Resolve(user.Tier).Name;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            return Page();
        });

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken cancellationToken) =>
        Change(
            id,
            () => users.DisableAsync(UserId, id, HttpContext.Origin(), cancellationToken),
            _ => "disabled; their " + "sessions are signed out",
            cancellationToken
        );

    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken cancellationToken) =>
        Change(
            id,
            () => users.EnableAsync(UserId, id, HttpContext.Origin(), cancellationToken),
            _ => "enabled",
            cancellationToken
        );

    public Task<IActionResult> OnPostRoleAsync(string id, string? role, CancellationToken cancellationToken) =>
        Change(
            id,
            () => users.SetRoleAsync(UserId, id, role, HttpContext.Origin(), cancellationToken),
            user => $"now {(user.IsAdmin ? "an admin" : "a user")}",
            cancellationToken
        );

    public Task<IActionResult> OnPostTierAsync(string id, string? tier, CancellationToken cancellationToken) =>
        Change(
            id,
            () => tierAdministration.SetTierAsync(UserId, id, tier, HttpContext.Origin(), cancellationToken),
            user => $"on the {TierOf(user)} tier",
            cancellationToken
        );

    /// <summary>Empty boxes mean "the tier's quota", as null does in the API.</summary>
    public Task<IActionResult> OnPostQuotaAsync(
        string id,
        string? dailyTokens,
        string? monthlyTokens,
        CancellationToken cancellationToken
    ) =>
        Change(
            id,
            () =>
            {
                var (daily, monthly) = QuotaForm.Parse(dailyTokens, monthlyTokens);
                return tierAdministration.SetQuotaAsync(
                    UserId,
                    id,
                    daily,
                    monthly,
                    HttpContext.Origin(),
                    cancellationToken
                );
            },
            _ => "on new quotas",
            cancellationToken
        );

    private Task<IActionResult> Change(
        string id,
        Func<Task<User>> change,
        Func<User, string> what,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var user = await change();
                return Done($"{user.Username} is {what(user)}.", "/admin/users");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await users.ListAsync(ListQuery.From(50, Cursor, Q, null), cancellationToken);
        Items = page.Items;
        NextCursor = page.NextCursor;
    }
}
