using System.Text.Json.Serialization;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Speech;

namespace StoryEngine.Server.Contracts;

/// <summary>POST /api/v1/bedtime-stories (issue 25).</summary>
public sealed record BedtimeStoryRequest(
    string? ChildName,
    string? AgeBand,
    string? Theme,
    int? Minutes,
    string? Lesson = null,
    IReadOnlyList<string>? CharacterIds = null,
    string? WorldId = null,
    string? Language = null,
    string? Voice = null
)
{
    public BedtimeRequest ToRequest() =>
        new(
            ChildName,
            AgeBand ?? "",
            Theme ?? "",
            Minutes ?? 0,
            Lesson,
            CharacterIds ?? [],
            WorldId,
            Language ?? "en",
            Voice
        );
}

/// <summary>PATCH /api/v1/bedtime-stories/{id}: rename and/or mark as a favourite.</summary>
public sealed record BedtimeStoryUpdate(string? Title, bool? Favourite);

public sealed record SentenceTimingResponse(int Index, string Text, int StartMs, int EndMs);

public sealed record BedtimeChapterResponse(
    int Number,
    string Title,
    string Text,
    string Guard,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GuardNote,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AudioUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Voice,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SpeechBackend,
    IReadOnlyList<SentenceTimingResponse> Sentences
)
{
    public static BedtimeChapterResponse From(BedtimeStory story, BedtimeChapter c) =>
        new(
            c.Number,
            c.Title,
            c.Text,
            c.Guard,
            c.GuardNote,
            c.Audio is null ? null : $"/api/v1/bedtime-stories/{story.Id}/chapters/{c.Number}/audio",
            c.Audio?.DurationMs,
            c.Audio?.Voice,
            c.Audio?.Backend,
            c.Audio?.Sentences.Select(s => new SentenceTimingResponse(s.Index, s.Text, s.StartMs, s.EndMs)).ToArray()
                ?? []
        );
}

public sealed record BedtimeStoryResponse(
    string Id,
    string Title,
    string? ChildName,
    string AgeBand,
    string Theme,
    int Minutes,
    string? Lesson,
    IReadOnlyList<string> CharacterIds,
    string? WorldId,
    string Language,
    string? Voice,
    string Status,
    int ChapterCount,
    bool Favourite,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JobId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AudioUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DurationMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<BedtimeChapterResponse>? Chapters
)
{
    public static BedtimeStoryResponse From(BedtimeStory s, bool withChapters = true)
    {
        var voiced = s.Chapters.Count == s.ChapterCount && s.Chapters.All(c => c.Audio is not null);
        return new(
            s.Id,
            s.Title,
            s.Request.ChildName,
            s.Request.AgeBand,
            s.Request.Theme,
            s.Request.Minutes,
            s.Request.Lesson,
            s.Request.CharacterIds,
            s.Request.WorldId,
            s.Request.Language,
            s.Request.Voice,
            s.Status,
            s.ChapterCount,
            s.Favourite,
            s.Error,
            s.JobId,
            voiced ? $"/api/v1/bedtime-stories/{s.Id}/audio" : null,
            voiced ? s.Chapters.Sum(c => c.Audio!.DurationMs) : null,
            s.CreatedAt,
            s.UpdatedAt,
            s.DeletedAt,
            withChapters ? s.Chapters.Select(c => BedtimeChapterResponse.From(s, c)).ToArray() : null
        );
    }
}

/// <summary>202 to a new story: the story as it is now (writing) and the job writing it.</summary>
public sealed record BedtimeAcceptedResponse(BedtimeStoryResponse Story, string JobId, string JobUrl, string EventsUrl)
{
    public static BedtimeAcceptedResponse From(BedtimeStory s) =>
        new(
            BedtimeStoryResponse.From(s),
            s.JobId!,
            $"/api/v1/jobs/{s.JobId}",
            $"/api/v1/bedtime-stories/{s.Id}/events"
        );
}

/// <summary>What a narration's audio is, or that it is being made.</summary>
public sealed record TurnAudioResponse(
    string Status,
    string AudioUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JobId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DurationMs,
    IReadOnlyList<SentenceTimingResponse> Sentences
)
{
    public static TurnAudioResponse Ready(string url, AudioInfo info) =>
        new(
            "ready",
            url,
            null,
            info.DurationMs,
            info.Sentences.Select(s => new SentenceTimingResponse(s.Index, s.Text, s.StartMs, s.EndMs)).ToArray()
        );
}
