namespace StoryEngine.Core.Stories;

/// <summary>
/// One turn of the transcript as the projection keeps it: what the player did and every narration of it
/// (alternatives), with the one they chose. Built only from events (<see cref="StoryProjection"/>).
/// </summary>
public sealed record TurnRecord(
    string AdventureId,
    string TurnId,
    int Number,
    string Kind,
    string PlayerText,
    int Chosen,
    IReadOnlyList<NarrationRecord> Alternatives,
    bool Undone,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
)
{
    public NarrationRecord ChosenNarration => Alternatives[Chosen];

    /// <summary>The state of the newest alternative: a turn is in progress while any narration streams.</summary>
    public string Status => Alternatives[^1].Status;
}

/// <summary>
/// One narration of a turn. <see cref="Status"/>: streaming, completed, stopped, failed or interrupted. <see
/// cref="Context"/>:
/// the volatile block it was sent with, which later prompts repeat with the turn (older logs have none).
/// </summary>
public sealed record NarrationRecord(
    string Text,
    string Status,
    string? Backend = null,
    string? Model = null,
    TokenUsage? Usage = null,
    NarrationTimings? Timings = null,
    string? ErrorCode = null,
    string? Error = null,
    CarriedContext? Context = null
)
{
    public const string Streaming = "streaming";
    public const string Completed = "completed";
    public const string Stopped = "stopped";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";
}
