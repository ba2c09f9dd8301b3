using System.Text.Json;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Speech;

/// <summary>
/// Voices an adventure's narration (job <c>speech.turn</c>): the chosen narration of a turn in the narrator's voice,
/// stored under <c>{adventureId}/{turnId}</c> with a hash of its text, so an edited or re-chosen narration is voiced
/// again when asked.
/// </summary>
public sealed class TurnVoicer(
    StoryWriter writer,
    IStoryLog log,
    ISpeechAudioStore audio,
    SpeechChain speech,
    SpeechOptions options,
    TimeProvider clock
) : IJobHandler
{
    public const string JobType = "speech.turn";

    public sealed record Payload(string AdventureId, string TurnId);

    public string Type => JobType;

    public static string Subject(string adventureId, string turnId) => $"{adventureId}/{turnId}";

    /// <summary>Queues the voicing of a turn's narration; a request for the same turn still waiting is reused.
    /// </summary>
    public static Task<string> QueueAsync(
        IJobQueue queue,
        string ownerId,
        string adventureId,
        string turnId,
        CancellationToken cancellationToken
    ) =>
        queue.EnqueueAsync(
            new JobRequest(
                JobType,
                JsonSerializer.Serialize(new Payload(adventureId, turnId), JsonSerializerOptions.Web),
                ownerId,
                adventureId,
                JobPriority.Critical,
                DedupeKey: Subject(adventureId, turnId)
            ),
            cancellationToken
        );

    /// <summary>The text a turn's audio speaks: its chosen, finished narration; null when there is none.</summary>
    public static string? Narration(TurnRecord? turn) =>
        turn is { Undone: false } && turn.ChosenNarration is { Status: NarrationRecord.Completed, Text.Length: > 0 } n
            ? n.Text
            : null;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)
            ?? throw new JsonException("The job's payload is empty.");
        try
        {
            await writer.LoadAsync(job.OwnerId, payload.AdventureId, cancellationToken);
        }
        catch (NotFoundException)
        {
            return; // the adventure was deleted
        }
        var text = Narration(await log.GetTurnAsync(payload.AdventureId, payload.TurnId, cancellationToken));
        if (text is null)
        {
            return;
        }
        var hash = BedtimeVoicer.TextHash(text);
        var subject = Subject(payload.AdventureId, payload.TurnId);
        var existing = await audio.GetAsync(job.OwnerId, AudioKinds.Turn, subject, cancellationToken);
        if (existing?.TextHash == hash)
        {
            return;
        }
        var rendered = await speech.RenderAsync(text, options.NarratorVoice, options.Speed, cancellationToken);
        await audio.PutAsync(
            BedtimeVoicer.Stored(AudioKinds.Turn, subject, job.OwnerId, rendered, hash, clock.GetUtcNow()),
            cancellationToken
        );
    }
}
