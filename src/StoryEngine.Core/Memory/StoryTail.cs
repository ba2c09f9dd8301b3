using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Reading only part of an adventure's story, for the memory jobs that keep something per turn (ADR 30): which turns
/// the events after a sequence touched, and the turns in a range of numbers.
/// </summary>
public static class StoryTail
{
    private const int EventPage = 1000;
    private const int TurnPage = 500;

    /// <summary>The ids of the turns that turn events after <paramref name="after"/> touched, and the sequence of the
    /// last one read.</summary>
    public static async Task<(IReadOnlyCollection<string> TurnIds, long Through)> TouchedAfterAsync(
        IStoryLog log,
        string adventureId,
        long after,
        CancellationToken cancellationToken
    )
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var through = after;
        while (true)
        {
            var page = await log.ReadAsync(
                adventureId,
                through,
                StoryProjection.TurnEventTypes,
                EventPage,
                cancellationToken
            );
            foreach (var e in page)
            {
                if (StoryProjection.TurnIdOf(e) is { } turnId)
                {
                    touched.Add(turnId);
                }
            }
            through = page.Count > 0 ? page[^1].Sequence : through;
            if (page.Count < EventPage)
            {
                return (touched, through);
            }
        }
    }

    /// <summary>The current turns with these ids (read after the events that named them, so at least as new as
    /// those).</summary>
    public static async Task<IReadOnlyList<TurnRecord>> LoadAsync(
        IMemoryStore store,
        string adventureId,
        IReadOnlyCollection<string> turnIds,
        CancellationToken cancellationToken
    )
    {
        var turns = new List<TurnRecord>(turnIds.Count);
        foreach (var batch in turnIds.Chunk(TurnPage))
        {
            turns.AddRange(await store.GetTurnsAsync(adventureId, batch, cancellationToken));
        }
        return turns;
    }

    /// <summary>The turns numbered <paramref name="from"/> to <paramref name="through"/> (to the newest when null),
    /// undone ones included, oldest first.</summary>
    public static async Task<IReadOnlyList<TurnRecord>> TurnsAsync(
        IStoryLog log,
        string adventureId,
        int from,
        int? through,
        CancellationToken cancellationToken
    )
    {
        var turns = new List<TurnRecord>();
        // Turn numbers are unique, so a range of n numbers holds at most n turns: a short range is one short read.
        var limit = through is { } last ? (int)Math.Clamp((long)last - from + 1, 0, TurnPage) : TurnPage;
        var before = through + 1;
        while (limit > 0)
        {
            var page = await log.ListTurnsAsync(adventureId, before, limit, includeUndone: true, cancellationToken);
            turns.AddRange(page.Where(t => t.Number >= from));
            if (page.Count < limit || page[^1].Number <= from)
            {
                break;
            }
            before = page[^1].Number;
        }
        turns.Reverse();
        return turns;
    }
}
