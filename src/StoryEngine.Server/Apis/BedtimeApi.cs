using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Speech;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Bedtime;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>Bedtime stories (issue 25): ask for one, follow its writing, read and play it, keep a library.</summary>
public static class BedtimeApi
{
    public static RouteGroupBuilder MapBedtimeApi(this RouteGroupBuilder api)
    {
        var stories = api.MapGroup("/bedtime-stories").WithTags("Bedtime stories");
        stories
            .MapPost("/", Create)
            .WithName("CreateBedtimeStory")
            .WithSummary("Ask for a bedtime story; it is written chapter by chapter and voiced in the background (202)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(422)
            .ProducesProblem(429)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.BedtimePolicy);
        stories
            .MapGet("/", List)
            .WithName("ListBedtimeStories")
            .WithSummary("The library, newest first: ?q= words, ?favourite=true, ?child= name; paged")
            .ProducesProblem(400);
        stories
            .MapGet("/trash", Trash)
            .WithName("ListTrashedBedtimeStories")
            .WithSummary("Bedtime stories in the trash")
            .ProducesProblem(400);
        stories
            .MapGet("/{id}", Get)
            .WithName("GetBedtimeStory")
            .WithSummary("One story with its chapters")
            .ProducesProblem(404);
        stories
            .MapPatch("/{id}", Update)
            .WithName("UpdateBedtimeStory")
            .WithSummary("Rename a story or mark it as a favourite")
            .ProducesProblem(400)
            .ProducesProblem(404);
        stories
            .MapDelete("/{id}", Delete)
            .WithName("DeleteBedtimeStory")
            .WithSummary("Move a story to the trash; ?permanent=true deletes a trashed one for good, with its audio")
            .ProducesProblem(404);
        stories
            .MapPost("/{id}/restore", Restore)
            .WithName("RestoreBedtimeStory")
            .WithSummary("Bring a story back from the trash")
            .ProducesProblem(404);
        stories
            .MapPost("/{id}/another", Another)
            .WithName("CreateAnotherBedtimeStory")
            .WithSummary("Another story like this one: the same request, newly written (202)")
            .ProducesProblem(404)
            .ProducesProblem(422)
            .ProducesProblem(429)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.BedtimePolicy);
        stories
            .MapGet("/{id}/events", Events)
            .WithName("FollowBedtimeStory")
            .WithSummary("The story's progress as server-sent events: story, chapter, audio, then done")
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(404);
        stories
            .MapGet("/{id}/audio", StoryAudio)
            .WithName("GetBedtimeStoryAudio")
            .WithSummary("The whole story as one MP3 (Range requests, ETag)")
            .Produces(200, contentType: "audio/mpeg")
            .Produces(206, contentType: "audio/mpeg")
            .ProducesProblem(404)
            .ProducesProblem(409);
        stories
            .MapGet("/{id}/chapters/{number}/audio", ChapterAudio)
            .WithName("GetBedtimeChapterAudio")
            .WithSummary("One chapter as MP3 (Range requests, ETag)")
            .Produces(200, contentType: "audio/mpeg")
            .Produces(206, contentType: "audio/mpeg")
            .ProducesProblem(404)
            .ProducesProblem(409);
        stories
            .MapGet("/{id}/epub", Epub)
            .WithName("ExportBedtimeStoryEpub")
            .WithSummary("The story as an EPUB 3 book")
            .Produces(200, contentType: BedtimeEpub.MediaType)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Accepted<BedtimeAcceptedResponse>> Create(
        BedtimeStoryRequest body,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.CreateAsync(context.User.UserId(), body.ToRequest(), cancellationToken);
        return TypedResults.Accepted($"/api/v1/bedtime-stories/{story.Id}", BedtimeAcceptedResponse.From(story));
    }

    private static async Task<Accepted<BedtimeAcceptedResponse>> Another(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.AnotherLikeAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.Accepted($"/api/v1/bedtime-stories/{story.Id}", BedtimeAcceptedResponse.From(story));
    }

    private static Task<Ok<PageResponse<BedtimeStoryResponse>>> List(
        HttpContext context,
        IBedtimeStore store,
        string? q,
        bool? favourite,
        string? child,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    ) => PageAsync(context, store, q, favourite, child, limit, cursor, false, cancellationToken);

    private static Task<Ok<PageResponse<BedtimeStoryResponse>>> Trash(
        HttpContext context,
        IBedtimeStore store,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    ) => PageAsync(context, store, null, null, null, limit, cursor, true, cancellationToken);

    private static async Task<Ok<PageResponse<BedtimeStoryResponse>>> PageAsync(
        HttpContext context,
        IBedtimeStore store,
        string? q,
        bool? favourite,
        string? child,
        int? limit,
        string? cursor,
        bool trashed,
        CancellationToken cancellationToken
    )
    {
        var query = ListQuery.From(limit, cursor, q, null);
        if (child is { Length: > 60 })
        {
            throw Core.Errors.ValidationFailedException.For("child", "child must be at most 60 characters.");
        }
        var items = await store.ListAsync(
            new BedtimeListQuery(
                context.User.UserId(),
                query.Text,
                favourite,
                string.IsNullOrWhiteSpace(child) ? null : child.Trim(),
                trashed,
                query.Limit + 1,
                query.AfterId
            ),
            cancellationToken
        );
        var page = items.Take(query.Limit).Select(s => BedtimeStoryResponse.From(s, withChapters: false)).ToArray();
        var next = items.Count > query.Limit ? Cursor.Encode(page[^1].Id) : null;
        Paging.AddNextLink(context, next);
        return TypedResults.Ok(new PageResponse<BedtimeStoryResponse>(page, next));
    }

    private static async Task<Ok<BedtimeStoryResponse>> Get(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            BedtimeStoryResponse.From(await bedtime.GetAsync(context.User.UserId(), id, cancellationToken))
        );

    private static async Task<Ok<BedtimeStoryResponse>> Update(
        string id,
        BedtimeStoryUpdate body,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            BedtimeStoryResponse.From(
                await bedtime.UpdateAsync(context.User.UserId(), id, body.Title, body.Favourite, cancellationToken)
            )
        );

    private static async Task<NoContent> Delete(
        string id,
        bool? permanent,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    )
    {
        if (permanent == true)
        {
            await bedtime.PurgeAsync(context.User.UserId(), id, cancellationToken);
        }
        else
        {
            await bedtime.TrashAsync(context.User.UserId(), id, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<BedtimeStoryResponse>> Restore(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            BedtimeStoryResponse.From(await bedtime.RestoreAsync(context.User.UserId(), id, cancellationToken))
        );

    private static async Task<BedtimeEventStream> Events(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.GetAsync(context.User.UserId(), id, cancellationToken);
        return new BedtimeEventStream(story);
    }

    private static async Task<FileContentHttpResult> ChapterAudio(
        string id,
        int number,
        HttpContext context,
        BedtimeService bedtime,
        ISpeechAudioStore audio,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.GetAsync(context.User.UserId(), id, cancellationToken);
        if (story.Chapters.All(c => c.Number != number) && (number < 1 || number > story.ChapterCount))
        {
            throw new Core.Errors.NotFoundException(
                "chapter",
                number.ToString(System.Globalization.CultureInfo.InvariantCulture)
            );
        }
        var stored = await audio.GetAsync(
            story.OwnerId,
            AudioKinds.Bedtime,
            story.AudioSubject(number),
            cancellationToken
        ) ?? throw new AudioNotReadyException($"Chapter {number} is not voiced yet; follow the story's events.");
        return AudioFile(stored.Data, stored.Info.MediaType, stored.Info.Hash, stored.CreatedAt);
    }

    private static async Task<FileContentHttpResult> StoryAudio(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        ISpeechAudioStore audio,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.GetAsync(context.User.UserId(), id, cancellationToken);
        if (story.Chapters.Count < story.ChapterCount || story.Chapters.Any(c => c.Audio is null))
        {
            throw new AudioNotReadyException(
                "The story is not voiced to the end yet; play its chapters as they come, or wait for status ready."
            );
        }
        // Every chapter is the same constant-bit-rate MP3 stream without a tag (ADR 55): one after another they are
        // one valid file.
        using var joined = new MemoryStream();
        var hashes = new List<string>();
        var newest = DateTimeOffset.MinValue;
        foreach (var chapter in story.Chapters)
        {
            var stored = await audio.GetAsync(
                story.OwnerId,
                AudioKinds.Bedtime,
                story.AudioSubject(chapter.Number),
                cancellationToken
            ) ?? throw new AudioNotReadyException($"Chapter {chapter.Number} is not voiced yet.");
            joined.Write(stored.Data);
            hashes.Add(stored.Info.Hash);
            newest = stored.CreatedAt > newest ? stored.CreatedAt : newest;
        }
        var tag = Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join(",", hashes)))
        );
        return AudioFile(joined.ToArray(), "audio/mpeg", tag, newest);
    }

    private static async Task<FileContentHttpResult> Epub(
        string id,
        HttpContext context,
        BedtimeService bedtime,
        CancellationToken cancellationToken
    )
    {
        var story = await bedtime.GetAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.File(
            BedtimeEpub.Write(story),
            BedtimeEpub.MediaType,
            BedtimeEpub.FileName(story),
            lastModified: story.UpdatedAt
        );
    }

    /// <summary>An audio body with Range (206), a strong ETag (If-None-Match: 304) and its real media type.</summary>
    public static FileContentHttpResult AudioFile(
        byte[] data,
        string mediaType,
        string hash,
        DateTimeOffset modified
    ) =>
        TypedResults.File(
            data,
            mediaType,
            lastModified: modified,
            entityTag: new EntityTagHeaderValue($"\"{hash}\""),
            enableRangeProcessing: true
        );
}
