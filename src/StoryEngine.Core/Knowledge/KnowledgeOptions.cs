namespace StoryEngine.Core.Knowledge;

/// <summary>World documents and knowledge search (configuration section <c>Knowledge</c>).</summary>
public sealed class KnowledgeOptions
{
    public const string Section = "Knowledge";

    /// <summary>Off: no passages go into prompts (documents can still be uploaded and searched).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest file one upload may be (413 above it).</summary>
    public long MaxDocumentBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most text one document may hold once extracted (422 above it): about 600 pages.</summary>
    public int MaxDocumentCharacters { get; set; } = 2_000_000;

    /// <summary>A passage is cut at the paragraph that would take it past this many characters.</summary>
    public int ChunkCharacters { get; set; } = 1_000;

    /// <summary>Characters of the end of one passage repeated at the start of the next under the same heading, so a
    /// fact split by a cut is whole in one of them.</summary>
    public int OverlapCharacters { get; set; } = 200;

    /// <summary>At most this many passages go into one prompt.</summary>
    public int PromptPassages { get; set; } = 3;

    /// <summary>Prompt tokens the passages may use.</summary>
    public int PromptTokens { get; set; } = 500;

    /// <summary>A passage found only by meaning goes into a prompt only this similar to the query (cosine, 0–1); one
    /// that also matches words always may.</summary>
    public double MinSimilarity { get; set; } = 0.3;

    /// <summary>How many hits each ranking (full text, vectors) contributes before fusion.</summary>
    public int Candidates { get; set; } = 30;

    /// <summary>Full-text search ranks at most this many of a world's matches, the newest (and searches its rarest
    /// words first so they fit), so a question costs the same in a 100,000-passage world as in a small one (ADR
    /// 60).</summary>
    public int RankedMatches { get; set; } = 1_000;

    /// <summary>From this many passages with vectors up, similarity search reads a one-bit sketch of every vector and
    /// the exact vectors of a shortlist only (ADR 60); below it every vector is compared.</summary>
    public int SketchFromPassages { get; set; } = 20_000;

    /// <summary>How many of the passages closest in the sketch are compared exactly.</summary>
    public int SketchShortlist { get; set; } = 2_000;

    /// <summary>How many worlds' vectors are kept in memory for similarity search.</summary>
    public int CachedWorlds { get; set; } = 32;
}
