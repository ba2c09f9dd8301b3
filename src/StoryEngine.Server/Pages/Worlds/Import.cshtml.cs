using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Http;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>
/// Character card import in two steps: choose (or drop) a file and see what was found in it, then save. The file is
/// read by the same card reader the API uses, and saved by the same transfer service.
/// </summary>
[RequestSizeLimit(Uploads.MaxBytes + 64 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = Uploads.MaxBytes + 64 * 1024)]
public sealed class ImportModel(ResourceService<World> worlds, CharacterCardTransfer transfer, CardPreviews previews)
    : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    public StoredResource<World> World { get; private set; } = null!;

    public ReadCard? Card { get; private set; }

    public string? Token { get; private set; }

    public string? FileName { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        World = await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);

    public Task<IActionResult> OnPostPreviewAsync(IFormFile? file, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                World = await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
                if (file is null || file.Length == 0)
                {
                    throw ValidationFailedException.For("file", "Choose a card file (PNG, JSON or CHARX) first.");
                }
                if (file.Length > Uploads.MaxBytes)
                {
                    throw new PayloadTooLargeException(
                        $"Cards are limited to {Uploads.MaxBytes / (1024 * 1024)} MB; this " + "file is larger."
                    );
                }
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, cancellationToken);
                var bytes = buffer.ToArray();
                Card = CardFile.Read(bytes);
                FileName = file.FileName;
                Token = previews.Hold(UserId, bytes);
                return Page();
            },
            () => LoadWorldAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostSaveAsync(string? token, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var file = previews.Find(UserId, token)
                    ?? throw new ConflictException(
                        "The file you previewed is no longer held here (previews last 15 " + "minutes).",
                        "preview_expired"
                    );
                var imported = await transfer.ImportAsync(new(UserId, WorldId), file, cancellationToken);
                previews.Release(UserId, token!);
                var book = imported.Lorebook is null
                    ? ""
                    : $" with {imported.Lorebook.Body.Entries.Count} lorebook entries";
                return Done(
                    $"Imported {imported.Character.Body.Name}{book}.",
                    $"/worlds/{WorldId}/characters/{imported.Character.Id}"
                );
            },
            () => LoadWorldAsync(cancellationToken)
        );

    private async Task LoadWorldAsync(CancellationToken cancellationToken) =>
        World ??= await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
}
