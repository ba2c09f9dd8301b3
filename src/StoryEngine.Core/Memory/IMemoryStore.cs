using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>One indexed turn: the text recall searches, and its vector when an embedding backend is
/// configured.</summary>
/// <param name="Version">The turn's <see cref="TurnRecord.UpdatedAt"/> in milliseconds when it was indexed; a newer
/// turn is indexed again.</param>
public sealed record MemoryEntry(
    string AdventureId,
    string TurnId,
    int Number,
    long Version,
    string Text,
    float[]? Embedding,
    string? EmbeddingModel
);

/// <summary>What the index holds for one turn, to decide whether it is stale.</summary>
public sealed record IndexedTurn(string TurnId, long Version, string? EmbeddingModel);

/// <summary>
/// Where an adventure's index stands in its story log: every turn event up to <see cref="Sequence"/> is reflected in
/// it,
/// and when <see cref="EmbeddingModel"/> is set every entry has a vector of that model (null: text only). ADR 30.
/// </summary>
public sealed record IndexCursor(long Sequence, string? EmbeddingModel);

/// <summary>
/// Where an adventure's summaries stand in its story log: no turn event up to <see cref="Sequence"/> made a stored
/// summary stale. <see cref="Version"/> moves with every write to the summaries, so a job writes only over what it
/// read. ADR 30.
/// </summary>
public sealed record SummaryCursor(long Sequence, long Version);

/// <summary>A full-text hit; a higher <see cref="Score"/> is better (BM25 on SQLite, ts_rank on PostgreSQL: comparable
/// within one search only).</summary>
public sealed record TextHit(string TurnId, int Number, double Score);

/// <summary>A full-text query: a hit contains one of <see cref="Matching"/>; its score weighs every word of <see
/// cref="Weighing"/>.</summary>
/// <param name="Weighing">The matching words and the others worth weighing; empty when <see cref="Matching"/>
/// is.</param>
public sealed record TextQuery(IReadOnlyList<string> Matching, IReadOnlyList<string> Weighing)
{
    public static TextQuery None { get; } = new([], []);
}

/// <summary>How many of an adventure's entries there are, and how many contain each of some terms.</summary>
/// <param name="Matches">Per term, in the order asked; counting stops at the limit asked for, so a common word costs no
/// more than a rare one.</param>
/// <param name="Generation">The adventure's index generation when counted (<see
/// cref="IMemoryStore.GetGenerationAsync"/>).</param>
public sealed record TermCounts(int Entries, IReadOnlyList<int> Matches, long Generation = 0);

/// <summary>Full-text hits, best first, with the adventure's index generation read in the same round trip.</summary>
public sealed record TextHits(IReadOnlyList<TextHit> Hits, long Generation);

/// <summary>Every vector of one adventure for one embedding model, row-major, with the generation it was read
/// at.</summary>
public sealed record StoredVectors(long Generation, string[] TurnIds, int[] Numbers, float[] Matrix, int Dimensions);

/// <summary>A summary of turns <see cref="FromTurn"/>–<see cref="ToTurn"/>; layer 0 summarises turns, layer n+1
/// summarises layer n.</summary>
/// <param name="SourceHash">Hash of what it was written from (turn ids and versions, or the summaries below), so an
/// edit or undo makes it stale.</param>
public sealed record StorySummary(
    string AdventureId,
    int Layer,
    int FromTurn,
    int ToTurn,
    string Text,
    string SourceHash,
    DateTimeOffset CreatedAt
);

/// <summary>The recall index and the summaries of adventures; always partitioned by adventure.</summary>
public interface IMemoryStore : ITermCounter
{
    Task<IReadOnlyList<IndexedTurn>> ListIndexedAsync(string adventureId, CancellationToken cancellationToken);

    /// <summary>What the index holds for those of <paramref name="turnIds"/> it has.</summary>
    Task<IReadOnlyList<IndexedTurn>> ListIndexedAsync(
        string adventureId,
        IReadOnlyList<string> turnIds,
        CancellationToken cancellationToken
    );

    /// <summary>The adventure's cursor; null when no sync has recorded one (never indexed, or indexed before version
    /// 11).</summary>
    Task<IndexCursor?> GetCursorAsync(string adventureId, CancellationToken cancellationToken);

    /// <summary>Writes and removes entries in one transaction and moves the adventure's index generation on; the cursor
    /// stays as it is.</summary>
    Task ApplyAsync(
        string adventureId,
        IReadOnlyList<MemoryEntry> upserts,
        IReadOnlyList<string> removedTurnIds,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Like <see cref="ApplyAsync(string, IReadOnlyList{MemoryEntry}, IReadOnlyList{string}, CancellationToken)"/>, and
    /// moves the cursor
    /// from <paramref name="expected"/> to <paramref name="next"/> in the same transaction; the generation moves only
    /// when entries change.
    /// Writes nothing and returns false when the cursor is no longer <paramref name="expected"/> (another sync got
    /// there first).
    /// </summary>
    Task<bool> ApplyAsync(
        string adventureId,
        IReadOnlyList<MemoryEntry> upserts,
        IReadOnlyList<string> removedTurnIds,
        IndexCursor? expected,
        IndexCursor next,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Full-text search over the adventure's indexed turns, best first. Only the <paramref name="ranked"/> most
    /// recently
    /// indexed matches are ranked, so a search for common words stays cheap. The adventure's index generation comes
    /// back with the hits, so a recall needs no round trip of its own to learn it.
    /// </summary>
    Task<TextHits> SearchTextAsync(
        string adventureId,
        TextQuery query,
        int limit,
        int ranked,
        CancellationToken cancellationToken
    );

    /// <summary>The adventure's index generation: changes with every write, so cached vectors know when to
    /// reload.</summary>
    Task<long> GetGenerationAsync(string adventureId, CancellationToken cancellationToken);

    Task<StoredVectors> LoadVectorsAsync(string adventureId, string model, CancellationToken cancellationToken);

    /// <summary>The current turns (as the transcript has them now) with these ids.</summary>
    Task<IReadOnlyList<TurnRecord>> GetTurnsAsync(
        string adventureId,
        IReadOnlyList<string> turnIds,
        CancellationToken cancellationToken
    );

    Task<IReadOnlyList<StorySummary>> ListSummariesAsync(string adventureId, CancellationToken cancellationToken);

    /// <summary>The summaries' cursor; null when no summary job has recorded one (none ran, or only before version
    /// 11).</summary>
    Task<SummaryCursor?> GetSummaryCursorAsync(string adventureId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes <paramref name="stale"/> and adds <paramref name="added"/> (a summary whose range, layer and first turn,
    /// is already stored is not added) and moves the summaries' cursor from <paramref name="expected"/> to <paramref
    /// name="next"/> in the same transaction. Writes
    /// nothing and returns false when the cursor is no longer <paramref name="expected"/> (another job wrote
    /// summaries).
    /// </summary>
    Task<bool> ReplaceSummariesAsync(
        string adventureId,
        IReadOnlyList<StorySummary> stale,
        IReadOnlyList<StorySummary> added,
        SummaryCursor? expected,
        SummaryCursor next,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Adventures with turns whose index is not known to hold vectors of <paramref name="model"/> (never indexed,
    /// indexed without vectors, or with another model), as (adventure, owner): the sweep after a model change or an
    /// upgrade queues their index jobs (ADR 44).
    /// </summary>
    Task<IReadOnlyList<(string AdventureId, string OwnerId)>> ListUnembeddedAsync(
        string model,
        int limit,
        CancellationToken cancellationToken
    );
}
