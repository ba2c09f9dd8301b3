using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Bedtime;

/// <summary>Bedtime stories (issue 25): the short form that asks for one, and the library of those kept.</summary>
public sealed class BedtimeIndexModel(BedtimeService bedtime, IBedtimeStore store) : StoryPageModel
{
    /// <summary>Lengths offered, in minutes.</summary>
    public static readonly int[] Lengths = [3, 5, 10, 15, 20];

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Child { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Favourites { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<BedtimeStory> Stories { get; private set; } = [];

    public IReadOnlyList<BedtimeStory> Trash { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            return Page();
        });

    public Task<IActionResult> OnPostAsync(
        string? childName,
        string? ageBand,
        string? theme,
        int? minutes,
        string? lesson,
        string? voice,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var story = await bedtime.CreateAsync(
                    UserId,
                    new BedtimeRequest(
                        childName,
                        ageBand ?? "",
                        theme ?? "",
                        minutes ?? 0,
                        lesson,
                        [],
                        null,
                        "en",
                        string.IsNullOrWhiteSpace(voice) ? null : voice.Trim()
                    ),
                    cancellationToken
                );
                return LocalRedirect($"/bedtime/{story.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRestoreAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var story = await bedtime.RestoreAsync(UserId, id, cancellationToken);
                return Done($"“{story.Title}” is back in the library.", "/bedtime");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostPurgeAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await bedtime.PurgeAsync(UserId, id, cancellationToken);
                return Done("Deleted for good.", "/bedtime");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var query = ListQuery.From(20, Cursor, Q, null);
        var child = string.IsNullOrWhiteSpace(Child) ? null : Child.Trim();
        var items = await store.ListAsync(
            new BedtimeListQuery(
                UserId,
                query.Text,
                Favourites ? true : null,
                child,
                false,
                query.Limit + 1,
                query.AfterId
            ),
            cancellationToken
        );
        Stories = items.Take(query.Limit).ToArray();
        NextCursor = items.Count > query.Limit ? Core.Resources.Cursor.Encode(Stories[^1].Id) : null;
        Trash = await store.ListAsync(
            new BedtimeListQuery(UserId, null, null, null, true, 20, null),
            cancellationToken
        );
    }
}
