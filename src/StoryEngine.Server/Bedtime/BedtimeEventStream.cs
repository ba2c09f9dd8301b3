using System.Text;
using System.Text.Json;
using StoryEngine.Core.Bedtime;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Bedtime;

/// <summary>
/// A story's progress as server-sent events, from what is stored: <c>story</c> first (the story as it is), then
/// <c>chapter</c> for each chapter as it is written, <c>audio</c> as each is voiced, <c>story</c> again when the
/// status moves, and <c>done</c> once it is ready or failed. The job wakes it on this node
/// (<see cref="BedtimeSignals"/>); it also looks every second, for a job running on another node.
/// </summary>
public sealed class BedtimeEventStream(BedtimeStory first) : IResult
{
    public static readonly TimeSpan LookAgain = TimeSpan.FromSeconds(1);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var store = httpContext.RequestServices.GetRequiredService<IBedtimeStore>();
        var signals = httpContext.RequestServices.GetRequiredService<BedtimeSignals>();
        var story = first;
        await WriteAsync(response, "story", BedtimeStoryResponse.From(story, withChapters: false), cancellationToken);
        var written = 0;
        var voiced = new HashSet<int>();
        var status = story.Status;
        try
        {
            while (true)
            {
                foreach (var chapter in story.Chapters.Where(c => c.Number > written))
                {
                    await WriteAsync(
                        response,
                        "chapter",
                        BedtimeChapterResponse.From(story, chapter),
                        cancellationToken
                    );
                    written = chapter.Number;
                }
                foreach (var chapter in story.Chapters.Where(c => c.Audio is not null && voiced.Add(c.Number)))
                {
                    await WriteAsync(response, "audio", BedtimeChapterResponse.From(story, chapter), cancellationToken);
                }
                if (story.Status != status)
                {
                    status = story.Status;
                    await WriteAsync(
                        response,
                        "story",
                        BedtimeStoryResponse.From(story, withChapters: false),
                        cancellationToken
                    );
                }
                if (story.Status is BedtimeStatus.Ready or BedtimeStatus.Failed)
                {
                    await WriteAsync(
                        response,
                        "done",
                        new { status = story.Status, error = story.Error },
                        cancellationToken
                    );
                    return;
                }
                await signals.WaitAsync(story.Id, LookAgain, cancellationToken);
                story = await store.GetAsync(story.OwnerId, story.Id, cancellationToken)
                    ?? story with
                    {
                        Status = BedtimeStatus.Failed,
                        Error = "The story was deleted.",
                    };
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the listener went away
        }
    }

    private static async Task WriteAsync(HttpResponse response, string name, object data, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(data, JsonSerializerOptions.Web);
        await response.WriteAsync($"event: {name}\ndata: {json}\n\n", Encoding.UTF8, ct);
        await response.Body.FlushAsync(ct);
    }
}
