using System.Collections.Concurrent;
using System.Collections.Frozen;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>
/// The newest turns of recently played adventures, each as of a version of its log (issue 19). A turn's transcript
/// does not depend on the action, so instead of reading and decoding the newest pages again every turn, the cached
/// turns are brought up to the turn's version by folding the few events since with <see cref="StoryProjection.Apply"/>,
/// the fold the story log itself uses: an edit, an undo, a retry or a chosen alternative changes the cached turns as
/// it changes the stored ones. Anything it cannot fold for certain (an event about a turn it does not hold, a fork or
/// an import, more than <see cref="MaxEventsToFold"/> events) drops the entry, and the turn reads the log as before.
/// Every node keeps its own; the log is the truth, so another node's writes are folded in the same way.
/// </summary>
public sealed class TranscriptCache
{
    /// <summary>Adventures kept; past that the least recently used are dropped.</summary>
    public const int Capacity = 128;

    /// <summary>More events than this since the cached version: read the log instead.</summary>
    public const int MaxEventsToFold = 64;

    // Events that change no turn and say nothing about which turns exist: the side events, and settings.
    private static readonly FrozenSet<string> TurnNeutral = SideEvents
        .Types.Append(nameof(AdventureSettingsChanged))
        .ToFrozenSet(StringComparer.Ordinal);

    /// <param name="Version">The log's sequence the turns are as of.</param>
    /// <param name="Turns">Live turns, oldest first: the newest ones of the adventure, without gaps.</param>
    /// <param name="Complete">Whether <paramref name="Turns"/> holds every live turn of the adventure.</param>
    public sealed record Entry(long Version, IReadOnlyList<TurnRecord> Turns, bool Complete);

    private sealed record Slot(Entry Entry, long LastUsed, int Hits = 0);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Adventures held right now.</summary>
    public int Count => _slots.Count;

    /// <summary>
    /// The adventure's turns as of <paramref name="version"/>, folded forward from the cached version; null when
    /// nothing usable is cached (the caller reads the log and <see cref="Put"/>s what it read).
    /// </summary>
    public async Task<Entry?> GetAsync(
        IStoryLog log,
        string adventureId,
        long version,
        CancellationToken cancellationToken
    )
    {
        if (!_slots.TryGetValue(adventureId, out var slot) || slot.Entry.Version > version)
        {
            return null;
        }
        var entry = slot.Entry;
        if (entry.Version < version)
        {
            var events = await log.ReadAsync(adventureId, entry.Version, MaxEventsToFold, cancellationToken);
            var folded = Fold(entry, events.Where(e => e.Sequence <= version).ToList(), version);
            if (folded is null)
            {
                Forget(adventureId);
                return null;
            }
            entry = folded;
        }
        _slots[adventureId] = new Slot(entry, Interlocked.Increment(ref _clock), slot.Hits);
        return entry;
    }

    /// <summary>How many turns in a row took the adventure's transcript from here (0 when the last one read the log,
    /// or none is cached).</summary>
    public int HitsFor(string adventureId) => _slots.TryGetValue(adventureId, out var slot) ? slot.Hits : 0;

    /// <summary>
    /// Keeps what a turn read from the log (<paramref name="hit"/> false) or took from here (true), at most
    /// <paramref name="keep"/> of the newest turns.
    /// </summary>
    public void Put(string adventureId, Entry entry, int keep, bool hit)
    {
        if (entry.Turns.Count > keep)
        {
            entry = entry with { Turns = entry.Turns.Skip(entry.Turns.Count - keep).ToArray(), Complete = false };
        }
        var hits = hit ? HitsFor(adventureId) + 1 : 0;
        _slots[adventureId] = new Slot(entry, Interlocked.Increment(ref _clock), hits);
        TrimIfFull();
    }

    /// <summary>Drops an adventure's turns (its log is gone or was replaced).</summary>
    public void Forget(string adventureId) => _slots.TryRemove(adventureId, out _);

    // The entry after the events, or null when one of them cannot be folded with certainty.
    private static Entry? Fold(Entry entry, IReadOnlyList<StoryEvent> events, long version)
    {
        // The events must run without a gap from the cached version to the wanted one.
        if (events.Count == 0 || events[^1].Sequence != version || events[0].Sequence != entry.Version + 1)
        {
            return null;
        }
        var turns = entry.Turns.ToList();
        foreach (var e in events)
        {
            if (TurnNeutral.Contains(e.Type))
            {
                continue;
            }
            if (!StoryProjection.TurnEventTypes.Contains(e.Type) || StoryProjection.TurnIdOf(e) is not { } turnId)
            {
                return null; // a fork, an import, an event this cache does not know
            }
            if (e.Type is nameof(ActionTaken) or nameof(OpeningWritten))
            {
                if (StoryProjection.Apply(null, e) is not { } added || turns.Any(t => t.TurnId == turnId))
                {
                    return null;
                }
                turns.Add(added);
                continue;
            }
            var at = turns.FindIndex(t => t.TurnId == turnId);
            if (at < 0 || StoryProjection.Apply(turns[at], e) is not { } next)
            {
                return null; // about a turn older than the cached ones (or already undone)
            }
            turns[at] = next;
        }
        return new Entry(version, turns.Where(t => !t.Undone).OrderBy(t => t.Number).ToArray(), entry.Complete);
    }

    private void TrimIfFull()
    {
        if (_slots.Count <= Capacity)
        {
            return;
        }
        var snapshot = _slots.ToArray();
        foreach (var (id, _) in snapshot.OrderBy(p => p.Value.LastUsed).Take(snapshot.Length - Capacity * 3 / 4))
        {
            _slots.TryRemove(id, out _);
        }
    }
}
