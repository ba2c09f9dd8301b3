using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Speech;

namespace StoryEngine.Core.Bedtime;

/// <summary>
/// Voices one chapter of a bedtime story (job <c>bedtime.voice</c>, queued by the writer as each chapter is saved):
/// speaks it through the speech chain at the bedtime pace, stores the MP3 with its sentence timings, and marks the
/// story ready when it was the last chapter still silent.
/// </summary>
public sealed partial class BedtimeVoicer(
    IBedtimeStore store,
    ISpeechAudioStore audio,
    SpeechChain speech,
    SpeechOptions options,
    BedtimeSignals signals,
    JobSettings jobs,
    TimeProvider clock,
    ILogger<BedtimeVoicer> logger
) : IJobHandler
{
    public const string JobType = "bedtime.voice";

    public sealed record Payload(string StoryId, int Number);

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)
            ?? throw new JsonException("The job's payload is empty.");
        var story = await store.GetAsync(job.OwnerId, payload.StoryId, cancellationToken);
        var chapter = story?.Chapters.FirstOrDefault(c => c.Number == payload.Number);
        if (story is null || chapter is null || story.Status == BedtimeStatus.Failed)
        {
            return;
        }
        var hash = TextHash(chapter.Text);
        var existing = await audio.GetAsync(
            story.OwnerId,
            AudioKinds.Bedtime,
            story.AudioSubject(chapter.Number),
            cancellationToken
        );
        if (existing?.TextHash != hash)
        {
            RenderedSpeech rendered;
            try
            {
                rendered = await speech.RenderAsync(
                    chapter.Text,
                    story.Request.Voice,
                    options.BedtimeSpeed,
                    cancellationToken
                );
            }
            catch (AggregateException e) when (job.Attempt >= jobs.MaxAttempts)
            {
                LogFailed(logger, e, story.Id, chapter.Number);
                await store.SetStatusAsync(
                    story.Id,
                    BedtimeStatus.Failed,
                    "The story could not be voiced.",
                    [BedtimeStatus.Writing, BedtimeStatus.Voicing],
                    cancellationToken
                );
                signals.Pulse(story.Id);
                throw;
            }
            await audio.PutAsync(
                Stored(
                    AudioKinds.Bedtime,
                    story.AudioSubject(chapter.Number),
                    story.OwnerId,
                    rendered,
                    hash,
                    clock.GetUtcNow()
                ),
                cancellationToken
            );
            LogVoiced(logger, story.Id, chapter.Number, rendered.Backend, rendered.Audio.DurationMs);
        }
        await CompleteIfVoicedAsync(store, story.OwnerId, story.Id, cancellationToken);
        signals.Pulse(story.Id);
    }

    /// <summary>Marks the story ready when every chapter is written and voiced; the writer and each voicing job
    /// both ask, so whichever finishes last moves it.</summary>
    public static async Task CompleteIfVoicedAsync(
        IBedtimeStore store,
        string ownerId,
        string storyId,
        CancellationToken cancellationToken
    )
    {
        var story = await store.GetAsync(ownerId, storyId, cancellationToken);
        if (
            story is { Status: BedtimeStatus.Voicing }
            && story.Chapters.Count == story.ChapterCount
            && story.Chapters.All(c => c.Audio is not null)
        )
        {
            await store.SetStatusAsync(storyId, BedtimeStatus.Ready, null, [BedtimeStatus.Voicing], cancellationToken);
        }
    }

    public static StoredAudio Stored(
        string kind,
        string subject,
        string ownerId,
        RenderedSpeech rendered,
        string textHash,
        DateTimeOffset now
    ) =>
        new(
            kind,
            subject,
            ownerId,
            rendered.Audio.Data,
            new AudioInfo(
                rendered.Audio.MediaType,
                rendered.Audio.DurationMs,
                rendered.Audio.Data.Length,
                Convert.ToHexStringLower(SHA256.HashData(rendered.Audio.Data)),
                rendered.Sentences,
                rendered.Backend,
                rendered.Voice
            ),
            textHash,
            now
        );

    public static string TextHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [LoggerMessage(
        EventId = LogEvents.Speech.Voiced,
        Level = LogLevel.Information,
        Message = "Bedtime story {StoryId}: chapter {Number} voiced by {Backend} ({DurationMs} ms)"
    )]
    private static partial void LogVoiced(ILogger logger, string storyId, int number, string backend, int durationMs);

    [LoggerMessage(
        EventId = LogEvents.Speech.VoicingFailed,
        Level = LogLevel.Warning,
        Message = "Bedtime story {StoryId}: chapter {Number} could not be voiced by any speech backend"
    )]
    private static partial void LogFailed(ILogger logger, Exception exception, string storyId, int number);
}
