namespace StoryEngine.Core.Memory;

/// <summary>How recalled memories are chosen (configuration section <c>Memory</c>).</summary>
public sealed class MemoryOptions
{
    public const string Section = "Memory";

    /// <summary>Off: turns are neither indexed nor recalled.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>At most this many memories go into one prompt.</summary>
    public int RecallCount { get; set; } = 5;

    /// <summary>Prompt tokens the recalled memories may use; taken from the transcript's share only when something is
    /// recalled.</summary>
    public int RecallTokens { get; set; } = 600;

    /// <summary>How many hits each ranking (full text, vectors) contributes before fusion.</summary>
    public int Candidates { get; set; } = 30;

    /// <summary>The k of reciprocal rank fusion: score = Σ 1 / (k + rank). 60 is the value from the original
    /// paper.</summary>
    public int FusionK { get; set; } = 60;

    /// <summary>How many adventures' vectors are kept in memory for similarity search.</summary>
    public int CachedPartitions { get; set; } = 64;

    /// <summary>
    /// At most this many full-text matches are ranked per recall, so its cost does not grow with the adventure
    /// (issue 5, docs/adr/0028-bounded-full-text-recall.md): the rarest query words are searched first, as many as fit.
    /// </summary>
    public int RankedMatches { get; set; } = 1_000;
}

/// <summary>When and how older turns are summarised (configuration section <c>Summaries</c>).</summary>
public sealed class SummaryOptions
{
    public const string Section = "Summaries";

    public bool Enabled { get; set; } = true;

    /// <summary>Turns summarised together into one first-layer summary.</summary>
    public int ChunkTurns { get; set; } = 8;

    /// <summary>This many summaries of one layer are summarised into one of the next layer.</summary>
    public int FanIn { get; set; } = 4;

    /// <summary>Longest summary the utility backend may write, in tokens.</summary>
    public int MaxTokens { get; set; } = 300;
}
