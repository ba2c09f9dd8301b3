using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Speech;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Bedtime;

/// <summary>
/// A narration read aloud, for the play view's play button and auto-read switch (read-aloud.js): POST asks for it
/// (JSON: ready with its address, or voicing), GET is the MP3 (Range, ETag).
/// </summary>
public sealed class NarrationAudioModel(StoryWriter writer, IStoryLog log, ISpeechAudioStore audio, IJobQueue queue)
    : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string TurnId { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var text = await NarrationAsync(cancellationToken);
        var stored = await audio.GetAsync(UserId, AudioKinds.Turn, TurnVoicer.Subject(Id, TurnId), cancellationToken);
        if (text is null || stored is null || stored.TextHash != BedtimeVoicer.TextHash(text))
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

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var text = await NarrationAsync(cancellationToken);
        if (text is null)
        {
            return new JsonResult(new { status = "none" }) { StatusCode = StatusCodes.Status409Conflict };
        }
        var url = $"/play/{Id}/turns/{TurnId}/audio";
        var stored = await audio.GetAsync(UserId, AudioKinds.Turn, TurnVoicer.Subject(Id, TurnId), cancellationToken);
        if (stored is not null && stored.TextHash == BedtimeVoicer.TextHash(text))
        {
            return new JsonResult(
                new
                {
                    status = "ready",
                    url,
                    sentences = stored.Info.Sentences,
                }
            );
        }
        await TurnVoicer.QueueAsync(queue, UserId, Id, TurnId, cancellationToken);
        return new JsonResult(new { status = "voicing" }) { StatusCode = StatusCodes.Status202Accepted };
    }

    private async Task<string?> NarrationAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.LoadAsync(UserId, Id, cancellationToken);
        }
        catch (NotFoundException)
        {
            return null;
        }
        return TurnId.Length <= 100
            ? TurnVoicer.Narration(await log.GetTurnAsync(Id, TurnId, cancellationToken))
            : null;
    }
}
