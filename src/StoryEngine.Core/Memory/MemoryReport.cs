namespace StoryEngine.Core.Memory;

/// <summary>What memory contributed to one prompt, for the context inspector.</summary>
/// <param name="RecallQuery">The text recall searched with (the player's move).</param>
/// <param name="RecallTerms">The words full-text search looked for.</param>
/// <param name="RecallNote">What recall could not do (no embedding backend, a failed one), when anything.</param>
/// <param name="Recalled">Every candidate considered, best first, whether it went in and why.</param>
/// <param name="Summaries">The summaries in the prompt's summary slot.</param>
/// <param name="LeftOutThroughTurn">The newest turn left out of the transcript for budget; a summary job covers up to
/// it.</param>
/// <param name="SummariseAheadThroughTurn">The newest turn the next trim is expected to drop, while no stored summary
/// reaches it: a summary job is scheduled up to it ahead of the trim (issue 19, ADR 41).</param>
public sealed record MemoryReport(
    string? RecallQuery,
    IReadOnlyList<string> RecallTerms,
    string? RecallNote,
    IReadOnlyList<RecalledMemoryReport> Recalled,
    IReadOnlyList<SummaryPieceReport> Summaries,
    int? LeftOutThroughTurn,
    int? SummariseAheadThroughTurn = null
);

/// <summary>One recall candidate. <see cref="Reason"/>: recalled, in the transcript, over the recall budget, over the
/// recall count.</summary>
public sealed record RecalledMemoryReport(
    int Turn,
    string TurnId,
    bool Included,
    string Reason,
    double Score,
    int? TextRank,
    int? VectorRank,
    float? Similarity,
    int EstimatedTokens
);

/// <summary>One summary in the summary slot: its layer (0 summarises turns, n+1 summarises layer n) and the turns it
/// covers.</summary>
public sealed record SummaryPieceReport(int Layer, int FromTurn, int ToTurn, int EstimatedTokens);
