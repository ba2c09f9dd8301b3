using StoryEngine.Core.Adventures;

namespace StoryEngine.Core.Stories;

/// <summary>
/// The append-only story log with its turn projection, written together in one transaction.
/// Appends name the sequence they follow; a mismatch means another writer got there first.
/// </summary>
/// <summary>The text of one narration so far, as checkpointed while it streams.</summary>
public sealed record NarrationDraft(string AdventureId, string TurnId, int Alternative, string Text, DateTimeOffset At);

public interface IStoryLog
{
    /// <summary>Creates the adventure header, its first events and their turns atomically (a new adventure or a
    /// fork).</summary>
    Task CreateAsync(
        Adventure adventure,
        IReadOnlyList<StoryEvent> events,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Appends <paramref name="events"/> (whose sequences follow <paramref name="expectedLastSequence"/>) and stores
    /// the turns they changed. Throws <see cref="StoryConflictException"/> when the log has moved on.
    /// </summary>
    Task AppendAsync(
        string adventureId,
        long expectedLastSequence,
        IReadOnlyList<StoryEvent> events,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Appends one event that changes the adventure's header (title, settings) and writes <paramref name="header"/>
    /// with it, in one transaction; <see cref="StoryConflictException"/> when the log has moved past
    /// <paramref name="expectedLastSequence"/>.
    /// </summary>
    Task AppendHeaderChangeAsync(
        Adventure header,
        long expectedLastSequence,
        StoryEvent change,
        CancellationToken cancellationToken
    );

    Task<IReadOnlyList<StoryEvent>> ReadAsync(
        string adventureId,
        long afterSequence,
        int limit,
        CancellationToken cancellationToken
    );

    /// <summary>Like <see cref="ReadAsync"/>, only events of the given types: a fold that needs a few kinds skips the
    /// narrations' text.</summary>
    Task<IReadOnlyList<StoryEvent>> ReadAsync(
        string adventureId,
        long afterSequence,
        IReadOnlyCollection<string> types,
        int limit,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Like the typed <see cref="ReadAsync(string, long, IReadOnlyCollection{string}, int, CancellationToken)"/>, for
    /// kinds an adventure has few of or none (a scenario's moves, evaluations): read through the index of the
    /// adventure's events by type (migration 0023) instead of along its whole log, so asking a 10,000-turn adventure
    /// whether it plays a scenario does not read its 40,000 events. For kinds every turn has, use the other.
    /// </summary>
    Task<IReadOnlyList<StoryEvent>> ReadFewAsync(
        string adventureId,
        long afterSequence,
        IReadOnlyCollection<string> types,
        int limit,
        CancellationToken cancellationToken
    );

    /// <summary>The sequence of the adventure's newest event (0 when it has none): every event up to it is already in
    /// its turns.</summary>
    Task<long> GetLastSequenceAsync(string adventureId, CancellationToken cancellationToken);

    Task<TurnRecord?> GetTurnAsync(string adventureId, string turnId, CancellationToken cancellationToken);

    /// <summary>Turns newest first, starting below <paramref name="beforeNumber"/> (all when null).</summary>
    Task<IReadOnlyList<TurnRecord>> ListTurnsAsync(
        string adventureId,
        int? beforeNumber,
        int limit,
        bool includeUndone,
        CancellationToken cancellationToken
    );

    /// <summary>Turns whose newest narration is still streaming: after a crash, these were interrupted.</summary>
    Task<IReadOnlyList<TurnRecord>> ListStreamingTurnsAsync(CancellationToken cancellationToken);

    /// <summary>Saves the narration text streamed so far of several narrations in one transaction, replacing their
    /// previous checkpoints.</summary>
    Task SaveDraftsAsync(IReadOnlyList<NarrationDraft> drafts, CancellationToken cancellationToken);

    Task<string?> GetDraftAsync(
        string adventureId,
        string turnId,
        int alternative,
        CancellationToken cancellationToken
    );

    /// <summary>Stores what the narrator was sent for one narration, for the context inspector.</summary>
    Task SaveContextAsync(
        string adventureId,
        string turnId,
        int alternative,
        string contextJson,
        CancellationToken cancellationToken
    );

    Task<string?> GetContextAsync(
        string adventureId,
        string turnId,
        int alternative,
        CancellationToken cancellationToken
    );
}
