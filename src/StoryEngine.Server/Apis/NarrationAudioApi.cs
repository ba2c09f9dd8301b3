using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Speech;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>A narration read aloud (issue 25): ask for it to be voiced, then play it.</summary>
public static class NarrationAudioApi
{
    public static RouteGroupBuilder MapNarrationAudioApi(this RouteGroupBuilder api)
    {
        var audio = api.MapGroup("/adventures/{id}/turns/{turnId}/audio").WithTags("Turns");
        audio
            .MapPost("/", Request)
            .WithName("VoiceTurn")
            .WithSummary(
                "Voice a turn's chosen narration: 200 with its sentence timings when ready, else 202 and the job"
            )
            .ProducesProblem(404)
            .ProducesProblem(409);
        audio
            .MapGet("/", Get)
            .WithName("GetTurnAudio")
            .WithSummary("A turn's narration as MP3 (Range requests, ETag); 409 until it is voiced")
            .Produces(200, contentType: "audio/mpeg")
            .Produces(206, contentType: "audio/mpeg")
            .ProducesProblem(404)
            .ProducesProblem(409);
        return api;
    }

    private static async Task<Results<Ok<TurnAudioResponse>, Accepted<TurnAudioResponse>>> Request(
        string id,
        string turnId,
        HttpContext context,
        StoryWriter writer,
        IStoryLog log,
        ISpeechAudioStore store,
        IJobQueue queue,
        CancellationToken cancellationToken
    )
    {
        var (ownerId, text) = await NarrationAsync(id, turnId, context, writer, log, cancellationToken);
        var url = $"/api/v1/adventures/{id}/turns/{turnId}/audio";
        var stored = await store.GetAsync(ownerId, AudioKinds.Turn, TurnVoicer.Subject(id, turnId), cancellationToken);
        if (stored is not null && stored.TextHash == BedtimeVoicer.TextHash(text))
        {
            return TypedResults.Ok(TurnAudioResponse.Ready(url, stored.Info));
        }
        var job = await TurnVoicer.QueueAsync(queue, ownerId, id, turnId, cancellationToken);
        return TypedResults.Accepted(url, new TurnAudioResponse("voicing", url, job, null, []));
    }

    private static async Task<FileContentHttpResult> Get(
        string id,
        string turnId,
        HttpContext context,
        StoryWriter writer,
        IStoryLog log,
        ISpeechAudioStore store,
        CancellationToken cancellationToken
    )
    {
        var (ownerId, text) = await NarrationAsync(id, turnId, context, writer, log, cancellationToken);
        var stored = await store.GetAsync(ownerId, AudioKinds.Turn, TurnVoicer.Subject(id, turnId), cancellationToken);
        if (stored is null || stored.TextHash != BedtimeVoicer.TextHash(text))
        {
            throw new AudioNotReadyException(
                "This narration is not voiced (or changed since it was): POST to this address to have it voiced."
            );
        }
        return BedtimeApi.AudioFile(stored.Data, stored.Info.MediaType, stored.Info.Hash, stored.CreatedAt);
    }

    private static async Task<(string OwnerId, string Text)> NarrationAsync(
        string id,
        string turnId,
        HttpContext context,
        StoryWriter writer,
        IStoryLog log,
        CancellationToken cancellationToken
    )
    {
        var ownerId = context.User.UserId();
        var adventure = await writer.LoadAsync(ownerId, id, cancellationToken);
        var turn = turnId.Length <= 100 ? await log.GetTurnAsync(adventure.Id, turnId, cancellationToken) : null;
        if (turn is null)
        {
            throw new NotFoundException("turn", turnId);
        }
        return (
            ownerId,
            TurnVoicer.Narration(turn)
                ?? throw new AudioNotReadyException("This turn has no finished narration to read aloud.")
        );
    }
}
