using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Bedtime;
using StoryEngine.Server.Bedtime;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Bedtime;

/// <summary>A bedtime story as a printable page (the browser's print makes the paper or PDF copy), and as an EPUB
/// download under the page's sign-in.</summary>
public sealed class BedtimePrintModel(BedtimeService bedtime) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public BedtimeStory Story { get; private set; } = null!;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            Story = await bedtime.GetAsync(UserId, Id, cancellationToken);
            return Page();
        });

    public async Task<IActionResult> OnGetEpubAsync(CancellationToken cancellationToken)
    {
        var story = await bedtime.GetAsync(UserId, Id, cancellationToken);
        return File(BedtimeEpub.Write(story), BedtimeEpub.MediaType, BedtimeEpub.FileName(story));
    }
}
