using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Speech;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Bedtime;

/// <summary>
/// One bedtime story as a calm reading view: large type, dark or sepia, each chapter's audio with its sentences
/// highlighted while it plays (bedtime.js); rename, favourite, trash, "another one like this", EPUB and print.
/// While it is being written the page looks again by itself.
/// </summary>
public sealed class BedtimeStoryModel(BedtimeService bedtime, ISpeechAudioStore audio) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public BedtimeStory Story { get; private set; } = null!;

    public bool InProgress => Story.Status is BedtimeStatus.Writing or BedtimeStatus.Voicing;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await LoadAsync(cancellationToken);
            return Page();
        });

    /// <summary>A chapter's MP3 for the page's players (Range, ETag), under the page's own sign-in.</summary>
    public async Task<IActionResult> OnGetAudioAsync(int chapter, CancellationToken cancellationToken)
    {
        var story = await bedtime.GetAsync(UserId, Id, cancellationToken);
        var stored = await audio.GetAsync(UserId, AudioKinds.Bedtime, story.AudioSubject(chapter), cancellationToken);
        if (stored is null)
        {
            return NotFound();
        }
        return new FileContentResult(stored.Data, stored.Info.MediaType)
        {
            EnableRangeProcessing = true,
            EntityTag = new EntityTagHeaderValue($"\"{stored.Info.Hash}\""),
            LastModified = stored.CreatedAt,
        };
    }

    public Task<IActionResult> OnPostRenameAsync(string? title, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await bedtime.UpdateAsync(UserId, Id, title ?? "", null, cancellationToken);
                return Done("Renamed.", $"/bedtime/{Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostFavouriteAsync(bool favourite, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await bedtime.UpdateAsync(UserId, Id, null, favourite, cancellationToken);
                return Done(favourite ? "Kept as a favourite." : "No longer a favourite.", $"/bedtime/{Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostTrashAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await bedtime.TrashAsync(UserId, Id, cancellationToken);
                return Done("Moved to the trash.", "/bedtime");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostAnotherAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var story = await bedtime.AnotherLikeAsync(UserId, Id, cancellationToken);
                return LocalRedirect($"/bedtime/{story.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Story = await bedtime.GetAsync(UserId, Id, cancellationToken);
}
