using StoryEngine.Core.Jobs;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Brings an adventure's recall index in line with its transcript: new and edited turns are (re)indexed, undone
/// turns leave. Incremental (ADR 30): the index keeps the story-log sequence it reflects (<see cref="IndexCursor"/>),
/// and a run reads only the turn events after it and the turns they touched, so the work per turn does not grow with
/// the adventure. Without a cursor (never indexed, a fork's copied history, an index from before schema version 11),
/// or when the vectors under it are of another model than the one configured, the whole transcript is compared with
/// the whole index instead. Idempotent, so one job per adventure (deduplicated) catches up on everything. Vectors are
/// computed before anything is written: a failing embedding backend fails the attempt (the queue retries it) and
/// leaves the index as it was. The cursor moves in the transaction that writes what it covers, and only from the
/// cursor this run started from, so a crash means work done again, never a turn skipped.
/// </summary>
public sealed class MemoryIndexJob(IStoryLog log, IMemoryStore store, MemoryEmbeddings embeddings) : IJobHandler
{
    public const string JobType = "memory.index";

    // A sync that loses the race for the cursor starts over from the new one; losing it this often means a storm of
    // writers, and the queue's backoff is the better place to wait.
    private const int MaxAttempts = 5;

    /// <summary>The turns a sync looks at, what the index holds for them, and the log sequence they reflect at
    /// least.</summary>
    private sealed record Changes(IReadOnlyList<TurnRecord> Turns, IReadOnlyList<IndexedTurn> Indexed, long Through);

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var adventureId = job.AdventureId
            ?? throw new InvalidOperationException($"Job {job.JobId} ({JobType}) " + "names no adventure.");
        await SyncAsync(adventureId, job.OwnerId, withVectors: true, cancellationToken);
    }

    /// <summary>
    /// Indexes what changed. Without <paramref name="withVectors"/> only the text is indexed (what recall does inline
    /// for
    /// a partition never indexed, such as a fresh fork); the next job adds the vectors.
    /// </summary>
    /// <param name="ownerId">Whose usage ledger the embedding requests go in.</param>
    public async Task SyncAsync(
        string adventureId,
        string ownerId,
        bool withVectors,
        CancellationToken cancellationToken
    )
    {
        var embed = withVectors && embeddings.Enabled;
        for (var attempt = 1; !await TrySyncAsync(adventureId, ownerId, embed, cancellationToken); attempt++)
        {
            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"The recall index of adventure {adventureId} was written by another sync {MaxAttempts} times "
                        + "while this one ran; it is tried again later."
                );
            }
        }
    }

    /// <summary>One sync from the cursor as it is now; false when another sync moved the cursor first and nothing was
    /// written.</summary>
    private async Task<bool> TrySyncAsync(
        string adventureId,
        string ownerId,
        bool embed,
        CancellationToken cancellationToken
    )
    {
        var cursor = await store.GetCursorAsync(adventureId, cancellationToken);
        var changes =
            cursor is not null && (!embed || cursor.EmbeddingModel == embeddings.Model)
                ? await TailAsync(adventureId, cursor.Sequence, cancellationToken)
                : await EverythingAsync(adventureId, cancellationToken);
        if (changes is null)
        {
            return true;
        }

        var indexed = changes.Indexed.ToDictionary(i => i.TurnId, StringComparer.Ordinal);
        var live = changes.Turns.Where(Remembered).ToArray();
        var stale = live.Where(t =>
                !indexed.TryGetValue(t.TurnId, out var i)
                || i.Version != t.UpdatedAt.ToUnixTimeMilliseconds()
                || (embed && i.EmbeddingModel != embeddings.Model)
            )
            .ToArray();
        var liveIds = live.Select(t => t.TurnId).ToHashSet(StringComparer.Ordinal);
        var removed = indexed.Keys.Where(id => !liveIds.Contains(id)).ToArray();
        // Text-only entries written under a cursor take its model claim away, so the next job with vectors syncs in
        // full.
        var next = new IndexCursor(
            changes.Through,
            embed ? embeddings.Model
                : stale.Length == 0 ? cursor?.EmbeddingModel
                : null
        );
        if (stale.Length == 0 && removed.Length == 0 && next == cursor)
        {
            return true;
        }

        var texts = stale.Select(MemoryText.Of).ToArray();
        var vectors =
            embed && texts.Length > 0
                ? await embeddings.EmbedAsync(texts, ownerId, adventureId, cancellationToken)
                : null;
        var entries = stale
            .Select(
                (t, i) =>
                    new MemoryEntry(
                        adventureId,
                        t.TurnId,
                        t.Number,
                        t.UpdatedAt.ToUnixTimeMilliseconds(),
                        texts[i],
                        vectors?[i],
                        vectors is null ? null : embeddings.Model
                    )
            )
            .ToArray();
        return await store.ApplyAsync(adventureId, entries, removed, cursor, next, cancellationToken);
    }

    /// <summary>The turns touched by turn events after <paramref name="after"/>, loaded as they are now; null when
    /// there are none.</summary>
    private async Task<Changes?> TailAsync(string adventureId, long after, CancellationToken cancellationToken)
    {
        var (touched, through) = await StoryTail.TouchedAfterAsync(log, adventureId, after, cancellationToken);
        if (touched.Count == 0)
        {
            return null;
        }
        var ids = touched.ToArray();
        return new Changes(
            await StoryTail.LoadAsync(store, adventureId, ids, cancellationToken),
            await store.ListIndexedAsync(adventureId, ids, cancellationToken),
            through
        );
    }

    /// <summary>Every turn and every entry; null for an adventure with no log (gone, or never there), which gets no
    /// cursor row.</summary>
    private async Task<Changes?> EverythingAsync(string adventureId, CancellationToken cancellationToken)
    {
        // Read before the turns: every event up to it is in them, and anything later is read again by the next run.
        var through = await log.GetLastSequenceAsync(adventureId, cancellationToken);
        if (through == 0)
        {
            return null;
        }
        var turns = await StoryTail.TurnsAsync(log, adventureId, 0, null, cancellationToken);
        return new Changes(turns, await store.ListIndexedAsync(adventureId, cancellationToken), through);
    }

    /// <summary>Turns a later prompt may be reminded of: not undone, with a narration that is no longer
    /// streaming.</summary>
    public static bool Remembered(TurnRecord turn) =>
        !turn.Undone && turn.ChosenNarration.Status != NarrationRecord.Streaming && MemoryText.Of(turn).Length > 0;
}
