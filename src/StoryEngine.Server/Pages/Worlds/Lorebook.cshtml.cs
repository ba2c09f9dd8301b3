using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>A world's lorebook and its entries. Every change rewrites the book with a version check, like the API's
/// entry routes.</summary>
public sealed class LorebookModel(ResourceService<Lorebook> lorebooks, LorebookTransfer transfer) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public StoredResource<Lorebook> Book { get; private set; } = null!;

    private ResourceScope Scope => new(UserId, WorldId);

    private string Here => $"/worlds/{WorldId}/lorebooks/{Id}";

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Book = await lorebooks.GetAsync(Scope, Id, cancellationToken);

    /// <summary>The book as a file for SillyTavern (st), as a V3 lorebook (card) or for NovelAI, as the API's export
    /// writes it.</summary>
    public async Task<IActionResult> OnGetExportAsync(string? format, CancellationToken cancellationToken)
    {
        var file = await transfer.ExportAsync(Scope, Id, LorebookFile.ParseFormat(format), cancellationToken);
        return File(file.Content, file.MediaType, file.FileName);
    }

    public Task<IActionResult> OnPostSaveAsync(
        long version,
        string? name,
        string? description,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await lorebooks.GetAsync(Scope, Id, cancellationToken);
                await lorebooks.ReplaceAsync(
                    Scope,
                    Id,
                    current.Body with
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the lorebook.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostAddEntryAsync(
        long version,
        string? name,
        string? keys,
        string? content,
        bool constant,
        bool vectorized,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await lorebooks.GetAsync(Scope, Id, cancellationToken);
                var entry = new LoreEntry
                {
                    Id = current.Body.NextEntryId,
                    Name = name ?? "",
                    Keys = FormText.List(keys),
                    Content = content ?? "",
                    Constant = constant,
                    Vectorized = vectorized,
                };
                await lorebooks.ReplaceAsync(
                    Scope,
                    Id,
                    current.Body with
                    {
                        Entries = [.. current.Body.Entries, entry],
                    },
                    version,
                    cancellationToken
                );
                return Done("Added the entry.", Here + "#entries-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostEditEntryAsync(
        long version,
        int entryId,
        string? name,
        string? keys,
        string? content,
        bool constant,
        bool vectorized,
        bool enabled,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await lorebooks.GetAsync(Scope, Id, cancellationToken);
                var entry = Find(current.Body, entryId) with
                {
                    Name = name ?? "",
                    Keys = FormText.List(keys),
                    Content = content ?? "",
                    Constant = constant,
                    Vectorized = vectorized,
                    Enabled = enabled,
                };
                await lorebooks.ReplaceAsync(
                    Scope,
                    Id,
                    current.Body with
                    {
                        Entries = current.Body.Entries.Select(e => e.Id == entryId ? entry : e).ToArray(),
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the entry.", Here + "#entries-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRemoveEntryAsync(long version, int entryId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var current = await lorebooks.GetAsync(Scope, Id, cancellationToken);
                Find(current.Body, entryId);
                await lorebooks.ReplaceAsync(
                    Scope,
                    Id,
                    current.Body with
                    {
                        Entries = current.Body.Entries.Where(e => e.Id != entryId).ToArray(),
                    },
                    version,
                    cancellationToken
                );
                return Done("Removed the entry.", Here + "#entries-h");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Book = await lorebooks.GetAsync(Scope, Id, cancellationToken);

    private static LoreEntry Find(Lorebook book, int entryId) =>
        book.Entries.FirstOrDefault(e => e.Id == entryId)
        ?? throw new NotFoundException(
            "lorebook entry",
            entryId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
}
