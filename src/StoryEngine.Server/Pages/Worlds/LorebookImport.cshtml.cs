using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Http;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>
/// Lorebook import from the world editor: pick or drop a SillyTavern World Info JSON, a V3 lorebook, a NovelAI
/// .lorebook or a card with a book, and it becomes a lorebook of this world, read by the same
/// <see cref="LorebookTransfer"/> as the API's import. The new book opens at once; the trash undoes it.
/// </summary>
[RequestSizeLimit(Uploads.MaxBytes + 64 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = Uploads.MaxBytes + 64 * 1024)]
public sealed class LorebookImportModel(ResourceService<World> worlds, LorebookTransfer transfer) : StoryPageModel
{
    private const string FileAdvice =
        "Choose another file: SillyTavern World Info JSON, a V3 lorebook (spec "
        + "lorebook_v3), a NovelAI .lorebook, or a character card with a lorebook.";

    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    public StoredResource<World> World { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        World = await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);

    public Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                World = await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
                if (file is null || file.Length == 0)
                {
                    throw ValidationFailedException.For("file", "Choose a lorebook file first.");
                }
                if (file.Length > Uploads.MaxBytes)
                {
                    throw new PayloadTooLargeException(
                        $"Lorebooks are limited to {Uploads.MaxBytes / (1024 * 1024)} MB; " + "this file is larger."
                    );
                }
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, cancellationToken);
                var created = await transfer.ImportAsync(
                    new(UserId, WorldId),
                    buffer.ToArray(),
                    file.FileName,
                    cancellationToken
                );
                return Done(
                    $"Imported the lorebook {created.Body.Name} with {created.Body.Entries.Count} entries. Move it "
                        + "to the trash from the world if it was the wrong file.",
                    $"/worlds/{WorldId}/lorebooks/{created.Id}"
                );
            },
            async () =>
            {
                if (Problem is { FieldErrors.Count: 0 } problem && problem.Status is 400 or 413 or 415)
                {
                    Problem = problem with { Advice = FileAdvice }; // the shared advice speaks of character cards
                }
                World ??= await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
            }
        );
}
