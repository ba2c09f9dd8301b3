using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.Bedtime;

/// <summary>
/// The job that writes a bedtime story: one model call per chapter (the narrator's backends, in a JSON schema), each
/// guarded (<see cref="ContentGuard"/>) and rewritten while flagged, saved, and queued for voicing at once, so the
/// first chapter can be heard while the rest are written. A retried job continues after the chapters it saved.
/// </summary>
public sealed partial class BedtimeWriter(
    IBedtimeStore store,
    INarrator narrator,
    ContentGuard guard,
    UsageMeter usage,
    IJobQueue queue,
    BedtimeSignals signals,
    JobSettings jobs,
    ILogger<BedtimeWriter> logger
) : IJobHandler
{
    public const string JobType = "bedtime.write";
    public const string UsagePurpose = "bedtime";
    public const int MaxRewrites = 2;
    public const string SchemaName = "bedtime_chapter";

    private static readonly JsonElement Schema = JsonDocument
        .Parse(
            """
            {"type":"object","additionalProperties":false,"required":["storyTitle","title","text"],
             "properties":{"storyTitle":{"type":"string"},"title":{"type":"string"},"text":{"type":"string"}}}
            """
        )
        .RootElement.Clone();

    public sealed record Payload(string StoryId);

    private sealed record Draft(string StoryTitle, string Title, string Text);

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)
            ?? throw new JsonException("The job's payload is empty.");
        var story = await store.GetAsync(job.OwnerId, payload.StoryId, cancellationToken);
        if (story is null || story.Status != BedtimeStatus.Writing)
        {
            return; // deleted, failed or finished by an earlier run
        }
        try
        {
            await WriteAsync(job, story, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && job.Attempt >= jobs.MaxAttempts)
        {
            await FailAsync(story, $"The story could not be written: {e.Message}", cancellationToken);
            throw;
        }
    }

    private async Task WriteAsync(JobContext job, BedtimeStory story, CancellationToken cancellationToken)
    {
        var chapters = story.Chapters.ToList();
        var title = story.Title;
        for (var number = chapters.Count + 1; number <= story.ChapterCount; number++)
        {
            var draft = await DraftAsync(story, chapters, number, null, cancellationToken);
            var verdict = await guard.CheckAsync(story.OwnerId, story.Request, draft.Text, cancellationToken);
            var rewrites = 0;
            var found = new List<string>();
            while (!verdict.Suitable && rewrites < MaxRewrites)
            {
                rewrites++;
                found.AddRange(verdict.Problems.Select(p => $"{verdict.Source}: {p}"));
                LogRewritten(logger, story.Id, number, string.Join("; ", verdict.Problems));
                draft = await DraftAsync(story, chapters, number, verdict.Problems, cancellationToken);
                verdict = await guard.CheckAsync(story.OwnerId, story.Request, draft.Text, cancellationToken);
            }
            if (!verdict.Suitable)
            {
                await FailAsync(
                    story,
                    $"The content guard refused chapter {number} after {MaxRewrites} rewrites ({verdict.Source}: "
                        + $"{string.Join("; ", verdict.Problems)}).",
                    cancellationToken
                );
                return;
            }
            if (number == 1 && draft.StoryTitle.Length > 0)
            {
                title = Trim(draft.StoryTitle, 200);
                await store.UpdateAsync(story.OwnerId, story.Id, title, null, cancellationToken);
            }
            var note = found.Count > 0 ? string.Join("; ", found) : verdict.Problems.FirstOrDefault();
            var chapter = new BedtimeChapter(
                number,
                Trim(draft.Title, 200),
                draft.Text.Trim(),
                rewrites > 0 ? GuardOutcome.Rewritten : GuardOutcome.Passed,
                note is null ? null : Trim(note, 2000),
                DateTimeOffset.UtcNow,
                null
            );
            await store.AddChapterAsync(story.OwnerId, story.Id, chapter, cancellationToken);
            chapters.Add(chapter);
            LogChapter(logger, story.Id, number, chapter.Guard);
            await queue.EnqueueAsync(
                new JobRequest(
                    BedtimeVoicer.JobType,
                    JsonSerializer.Serialize(new BedtimeVoicer.Payload(story.Id, number), JsonSerializerOptions.Web),
                    story.OwnerId,
                    Priority: JobPriority.Critical,
                    DedupeKey: story.AudioSubject(number)
                ),
                cancellationToken
            );
            signals.Pulse(story.Id);
        }
        await store.SetStatusAsync(story.Id, BedtimeStatus.Voicing, null, [BedtimeStatus.Writing], cancellationToken);
        await BedtimeVoicer.CompleteIfVoicedAsync(store, story.OwnerId, story.Id, cancellationToken);
        signals.Pulse(story.Id);
    }

    private async Task FailAsync(BedtimeStory story, string error, CancellationToken cancellationToken)
    {
        LogFailed(logger, story.Id, error);
        await store.SetStatusAsync(
            story.Id,
            BedtimeStatus.Failed,
            Trim(error, 2000),
            [BedtimeStatus.Writing, BedtimeStatus.Voicing],
            cancellationToken
        );
        signals.Pulse(story.Id);
    }

    private async Task<Draft> DraftAsync(
        BedtimeStory story,
        IReadOnlyList<BedtimeChapter> before,
        int number,
        IReadOnlyList<string>? problems,
        CancellationToken cancellationToken
    )
    {
        var messages = Prompt(story, before, number, problems);
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, SchemaName, "One chapter of a bedtime story"),
            Temperature = 0.8f,
            MaxOutputTokens = Math.Max(400, WordsPerChapter(story) * 3),
        };
        for (var answer = 1; answer <= 2; answer++)
        {
            var response = await usage.MeterAsync(story.OwnerId, null, UsagePurpose, messages, () =>
                narrator.Client.GetResponseAsync(messages, options, cancellationToken)
            );
            if (Read(response.Text) is { } draft)
            {
                return draft;
            }
        }
        throw new InvalidDataException($"The model did not answer chapter {number} in the chapter schema twice.");
    }

    /// <summary>The prompt of chapter <paramref name="number"/>: the rules and the age band, what the parent asked
    /// for, the chapters so far, and, for a rewrite, what the guard found.</summary>
    public static List<ChatMessage> Prompt(
        BedtimeStory story,
        IReadOnlyList<BedtimeChapter> before,
        int number,
        IReadOnlyList<string>? problems
    )
    {
        var request = story.Request;
        var system = new StringBuilder()
            .Append("You write gentle bedtime stories that a parent plays to a child at bedtime. ")
            .Append("Rules: calm and kind; no violence, cruelty, danger that lingers, fear, romance, rude words or ")
            .Append("anything unsafe to copy; every worry is resolved softly; the last chapter ends with the ")
            .Append("characters settling down to sleep. Plain prose for reading aloud: no headings, lists or ")
            .Append("sound effects in brackets. ")
            .Append(AgeBands.Guidance(request.AgeBand))
            .Append($" Write in the language with the code '{request.Language}'. Answer with JSON only.")
            .ToString();
        var user = new StringBuilder();
        user.Append($"Theme: {request.Theme}\n");
        if (request.ChildName is { Length: > 0 } child)
        {
            user.Append($"The story is for {child}, who is its hero.\n");
        }
        if (request.Lesson is { Length: > 0 } lesson)
        {
            user.Append($"Gently show, never preach: {lesson}\n");
        }
        if (request.Cast is { Length: > 0 } cast)
        {
            user.Append(cast);
        }
        user.Append(
            $"Write chapter {number} of {story.ChapterCount}, about {WordsPerChapter(story)} words. "
                + "storyTitle is the whole story's title; title is this chapter's.\n"
        );
        if (before.Count > 0)
        {
            user.Append("\nThe story so far:\n");
            foreach (var chapter in before)
            {
                user.Append($"\nChapter {chapter.Number}: {chapter.Title}\n{chapter.Text}\n");
            }
        }
        if (problems is { Count: > 0 })
        {
            user.Append(
                "\nYour last draft of this chapter was not suitable: "
                    + string.Join("; ", problems)
                    + ". Write the chapter again without any of that.\n"
            );
        }
        return [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user.ToString())];
    }

    public static int WordsPerChapter(BedtimeStory story) =>
        Math.Max(60, story.Request.Minutes * AgeBands.WordsPerMinute(story.Request.AgeBand) / story.ChapterCount);

    private static Draft? Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (
                root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("text", out var text)
                && text.ValueKind == JsonValueKind.String
                && text.GetString()!.Trim().Length > 0
            )
            {
                return new Draft(
                    root.TryGetProperty("storyTitle", out var s) && s.ValueKind == JsonValueKind.String
                        ? s.GetString()!.Trim()
                        : "",
                    root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String
                        ? t.GetString()!.Trim()
                        : "",
                    text.GetString()!
                );
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(
        EventId = LogEvents.Bedtime.ChapterWritten,
        Level = LogLevel.Information,
        Message = "Bedtime story {StoryId}: chapter {Number} written ({Guard})"
    )]
    private static partial void LogChapter(ILogger logger, string storyId, int number, string guard);

    [LoggerMessage(
        EventId = LogEvents.Bedtime.ChapterRewritten,
        Level = LogLevel.Information,
        Message = "Bedtime story {StoryId}: chapter {Number} is rewritten by the content guard: {Problems}"
    )]
    private static partial void LogRewritten(ILogger logger, string storyId, int number, string problems);

    [LoggerMessage(
        EventId = LogEvents.Bedtime.StoryFailed,
        Level = LogLevel.Warning,
        Message = "Bedtime story {StoryId} failed: {Error}"
    )]
    private static partial void LogFailed(ILogger logger, string storyId, string error);
}
