using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Adventures;

public sealed class AdventuresModel(AdventureService adventures) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<Adventure> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            return Page();
        });

    public Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await adventures.DeleteAsync(UserId, id, cancellationToken);
                return Done("Deleted the adventure.", "/adventures");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await adventures.ListAsync(UserId, ListQuery.From(20, Cursor, Q, null), cancellationToken);
        Items = page.Items;
        NextCursor = page.NextCursor;
    }
}
