using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

/// <summary>
/// The account's API keys through <see cref="ApiKeyService"/>, as <c>/api/v1/me/api-keys</c> does: list, make, revoke.
/// A new key is shown in the answer to the post that made it and never again: only its hash is kept
/// (docs/adr/0027-secrets-shown-once-in-the-web-app.md).
/// </summary>
public sealed class ApiKeysModel(ApiKeyService keys, TimeProvider clock) : StoryPageModel
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    /// <summary>The key just made; set only in the answer to "Create".</summary>
    public CreatedApiKey? Created { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Scopes { get; set; } = [];

    /// <summary>The last day the key works, as yyyy-MM-dd (UTC); empty: it does not expire.</summary>
    [BindProperty]
    public string? ExpiresOn { get; set; }

    /// <summary>The scopes this account may give a key: admin only for admins, as the service enforces.</summary>
    public IEnumerable<string> OfferedScopes =>
        ApiKeyScopes.All.Where(s => s != ApiKeyScopes.Admin || User.IsInRole(Core.Accounts.Roles.Admin));

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                Created = await keys.CreateAsync(
                    UserId,
                    Name,
                    Scopes,
                    ExpiryOf(ExpiresOn),
                    HttpContext.Origin(),
                    cancellationToken
                );
                NoStore.Apply(Response);
                (Name, Scopes, ExpiresOn) = (null, [], null);
                ModelState.Clear();
                await LoadAsync(cancellationToken);
                return Page();
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRevokeAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var name = (await keys.ListAsync(UserId, cancellationToken)).FirstOrDefault(k => k.Id == id)?.Name;
                await keys.RevokeAsync(UserId, id, HttpContext.Origin(), cancellationToken);
                return Done($"The key \"{name}\" is revoked: it stopped working at once.", "/account/api-keys");
            },
            () => LoadAsync(cancellationToken)
        );

    /// <summary>
    /// A date picker gives a day; the key works through the end of that day in UTC, the same days the usage page
    /// counts.
    /// </summary>
    private static DateTimeOffset? ExpiryOf(string? day)
    {
        if (string.IsNullOrWhiteSpace(day))
        {
            return null;
        }
        if (
            !DateOnly.TryParseExact(
                day,
                "yyyy-MM-dd",
                System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None,
                out var date
            )
        )
        {
            throw ValidationFailedException.For(
                "expiresAt",
                "The expiry must be a date as yyyy-MM-dd, or empty for " + "a key that does not expire."
            );
        }
        return new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Keys = await keys.ListAsync(UserId, cancellationToken);
    }
}
