namespace StoryEngine.Core.Usage;

/// <summary>Why a model was called; the ledger and the usage reports group by it. Callers may add their own
/// names.</summary>
public static class UsagePurposes
{
    public const string Narration = "narration";
    public const string Summary = "summary";
    public const string State = "state";
    public const string Embedding = "embedding";
    public const string Director = "director";
    public const string Evaluation = "evaluation";

    /// <summary>Matching a player's free text to a scenario's choice (issue 24).</summary>
    public const string Scenario = "scenario";
}
