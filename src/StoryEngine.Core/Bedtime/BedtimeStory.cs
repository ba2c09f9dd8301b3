using StoryEngine.Core.Errors;
using StoryEngine.Core.Speech;

namespace StoryEngine.Core.Bedtime;

/// <summary>Where a bedtime story is: its chapters are being written, then voiced; then it can be played.</summary>
public static class BedtimeStatus
{
    public const string Writing = "writing";
    public const string Voicing = "voicing";
    public const string Ready = "ready";
    public const string Failed = "failed";
}

/// <summary>What the content guard did to a chapter.</summary>
public static class GuardOutcome
{
    public const string Passed = "passed";
    public const string Rewritten = "rewritten";
    public const string Refused = "refused";
}

/// <summary>What a parent asked for (the POST body, validated). <see cref="Cast"/> is what the service read of the
/// named world and characters for the prompt, kept with the story so a retried job writes from the same.</summary>
public sealed record BedtimeRequest(
    string? ChildName,
    string AgeBand,
    string Theme,
    int Minutes,
    string? Lesson,
    IReadOnlyList<string> CharacterIds,
    string? WorldId,
    string Language,
    string? Voice,
    string Cast = ""
);

/// <summary>One bedtime story and what there is of it so far.</summary>
public sealed record BedtimeStory(
    string Id,
    string OwnerId,
    string Title,
    BedtimeRequest Request,
    string Status,
    int ChapterCount,
    bool Favourite,
    string? Error,
    string? JobId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    IReadOnlyList<BedtimeChapter> Chapters
)
{
    /// <summary>The speech audio key of chapter <paramref name="number"/>.</summary>
    public string AudioSubject(int number) => AudioSubjectOf(Id, number);

    public static string AudioSubjectOf(string storyId, int number) => $"{storyId}/{number}";
}

/// <summary>A written chapter, what the guard did to it (and why), and its audio once voiced.</summary>
public sealed record BedtimeChapter(
    int Number,
    string Title,
    string Text,
    string Guard,
    string? GuardNote,
    DateTimeOffset CreatedAt,
    AudioInfo? Audio
);

/// <summary>A stored recording without its bytes.</summary>
public sealed record AudioInfo(
    string MediaType,
    int DurationMs,
    long Bytes,
    string Hash,
    IReadOnlyList<SentenceTiming> Sentences,
    string Backend,
    string Voice
);

/// <summary>Age bands: each shapes the words, the sentences and what may happen (<see cref="Guidance"/>).</summary>
public static class AgeBands
{
    public const string Toddler = "2-4";
    public const string Young = "5-7";
    public const string Older = "8-10";

    public static readonly IReadOnlyList<string> All = [Toddler, Young, Older];

    /// <summary>"5–7" (an en dash, as people write it) or "5-7" → "5-7"; null when it is not a band.</summary>
    public static string? Normalize(string? band)
    {
        var normalized = band?.Trim().Replace('–', '-').Replace('—', '-').Replace(" ", "", StringComparison.Ordinal);
        return All.FirstOrDefault(b => b == normalized);
    }

    /// <summary>The prompt's rules for a band.</summary>
    public static string Guidance(string band) =>
        band switch
        {
            Toddler =>
                "The listener is 2 to 4 years old. Use very simple, concrete words and short sentences of at most "
                    + "eight words. Repeat gentle phrases. Nothing frightening at all: no danger, no villains, "
                    + "no one is "
                    + "lost or hurt. Animals, colours, sounds and cosy routines.",
            Young =>
                "The listener is 5 to 7 years old. Use simple words and sentences of at most twelve words. A small, "
                    + "gentle problem is fine and is always solved kindly. No violence, no real danger, nothing scary.",
            _ => "The listener is 8 to 10 years old. Use rich but clear words and varied sentences. A little "
                + "adventure and mild suspense are fine, resolved calmly. No violence, no gore, nothing frightening.",
        };

    /// <summary>Words a listener of this band understands a minute, read aloud slowly.</summary>
    public static int WordsPerMinute(string band) => band == Toddler ? 110 : 130;
}

/// <summary>The content guard refused what was asked for (a theme, a lesson or a name it will not write about).
/// </summary>
public sealed class BedtimeRefusedException(string message) : StoryEngineException(ProblemCode, message)
{
    public const string ProblemCode = "bedtime_refused";
}

/// <summary>The audio asked for does not exist yet (still being voiced, or never asked for).</summary>
public sealed class AudioNotReadyException(string message) : ConflictException(message, ProblemCode)
{
    public const string ProblemCode = "audio_not_ready";
}
