using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Removes the summaries an edit, undo, retry or choice made stale, reading only what changed (ADR 30): the turn events
/// after the summaries' cursor name the turns touched, and only the first-layer summaries over those turns are hashed
/// again. Without a cursor (no summary job ran since schema version 11) every summarised turn is read, once. The
/// removal moves the cursor in the same transaction, from the value read; a job that finds it moved reads again.
/// </summary>
public sealed class SummaryStaleCheck(IStoryLog log, IMemoryStore store)
{
    private const int MaxAttempts = 5;

    /// <summary>The summaries kept and the cursor they were written under; null for an adventure with no log.</summary>
    public async Task<(List<StorySummary> Kept, SummaryCursor Cursor)?> RemoveStaleAsync(
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var cursor = await store.GetSummaryCursorAsync(adventureId, cancellationToken);
            var summaries = await store.ListSummariesAsync(adventureId, cancellationToken);
            var (stale, through) = cursor is null
                ? await StaleInAllAsync(adventureId, summaries, cancellationToken)
                : await StaleSinceAsync(adventureId, summaries, cursor.Sequence, cancellationToken);
            if (through == 0)
            {
                return null;
            }
            if (cursor is not null && stale.Count == 0 && through == cursor.Sequence)
            {
                return ([.. summaries], cursor);
            }
            var next = new SummaryCursor(through, (cursor?.Version ?? 0) + 1);
            if (await store.ReplaceSummariesAsync(adventureId, stale, [], cursor, next, cancellationToken))
            {
                return ([.. summaries.Except(stale)], next);
            }
            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"The summaries of adventure {adventureId} were written by another job {MaxAttempts} times "
                        + "while this one checked them; it is tried again later."
                );
            }
        }
    }

    private async Task<(IReadOnlyList<StorySummary> Stale, long Through)> StaleInAllAsync(
        string adventureId,
        IReadOnlyList<StorySummary> summaries,
        CancellationToken cancellationToken
    )
    {
        // Read before the turns: every event up to it is in them, and anything later is checked by the next job.
        var through = await log.GetLastSequenceAsync(adventureId, cancellationToken);
        if (summaries.Count == 0 || through == 0)
        {
            return ([], through);
        }
        var live = await LiveAsync(adventureId, 0, summaries.Max(s => s.ToTurn), cancellationToken);
        return (SummaryPlan.Stale(summaries, live), through);
    }

    private async Task<(IReadOnlyList<StorySummary> Stale, long Through)> StaleSinceAsync(
        string adventureId,
        IReadOnlyList<StorySummary> summaries,
        long after,
        CancellationToken cancellationToken
    )
    {
        var (touched, through) = await StoryTail.TouchedAfterAsync(log, adventureId, after, cancellationToken);
        var numbers =
            touched.Count == 0
                ? []
                : (await StoryTail.LoadAsync(store, adventureId, touched, cancellationToken))
                    .Select(t => t.Number)
                    .ToHashSet();
        var check = summaries
            .Where(s => s.Layer == 0 && numbers.Any(n => n >= s.FromTurn && n <= s.ToTurn))
            .ToHashSet();
        var live = new List<TurnRecord>();
        foreach (var summary in check)
        {
            live.AddRange(await LiveAsync(adventureId, summary.FromTurn, summary.ToTurn, cancellationToken));
        }
        // Higher layers are always hashed again (from the summaries, no turns needed): a first-layer summary written
        // inside a parent's range, for a turn that became remembered later, makes that parent stale without a turn
        // under it changing.
        return (SummaryPlan.Stale(summaries, live, check.Contains), through);
    }

    /// <summary>The turns numbered <paramref name="from"/>–<paramref name="to"/> that a summary is written from (those
    /// recall remembers).</summary>
    public async Task<IReadOnlyList<TurnRecord>> LiveAsync(
        string adventureId,
        int from,
        int to,
        CancellationToken cancellationToken
    ) =>
        [
            .. (await StoryTail.TurnsAsync(log, adventureId, from, to, cancellationToken)).Where(
                MemoryIndexJob.Remembered
            ),
        ];
}
