namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Sticky, cooldown and delay, counted in live turns of this branch (undone turns do not count; a fork counts its
/// parent's turns up to the fork). An entry that fires by key, constant or recursion at turn T with sticky S stays in
/// the prompt for the next S turns; with cooldown C it then cannot fire for C more turns. Delay D keeps it out until
/// the story has D turns before the current one (the opening counts, as SillyTavern counts the greeting).
/// </summary>
internal sealed class LoreTimers
{
    private readonly Dictionary<(string BookId, int EntryId), (int Distance, int TurnNumber)> _lastFresh = [];
    private readonly int _turnsBefore;

    public LoreTimers(IReadOnlyList<LoreHistoryTurn> history, int turnsBefore)
    {
        _turnsBefore = turnsBefore;
        for (var k = 0; k < history.Count; k++)
        {
            foreach (var fired in history[k].Fired)
            {
                if (!fired.Sticky)
                {
                    _lastFresh.TryAdd((fired.BookId, fired.EntryId), (k + 1, history[k].TurnNumber));
                }
            }
        }
    }

    /// <summary>The turn it first fired in, when the entry is still stuck in the prompt.</summary>
    public int? StuckSince(string bookId, LoreEntry entry) =>
        entry.Sticky is > 0 && _lastFresh.TryGetValue((bookId, entry.Id), out var last) && last.Distance <= entry.Sticky
            ? last.TurnNumber
            : null;

    /// <summary>Why the entry may not fire now, or null when it may.</summary>
    public (string Reason, string Detail)? Blocked(string bookId, LoreEntry entry)
    {
        if (
            entry.Cooldown is > 0
            && _lastFresh.TryGetValue((bookId, entry.Id), out var last)
            && last.Distance <= (entry.Sticky ?? 0) + entry.Cooldown
        )
        {
            var left = (entry.Sticky ?? 0) + entry.Cooldown.Value - last.Distance + 1;
            return (
                LoreReasons.Cooldown,
                $"fired in turn {last.TurnNumber}; cooldown of {entry.Cooldown} turns"
                    + (entry.Sticky is > 0 ? $" after {entry.Sticky} sticky turns" : "")
                    + $", so it can fire again in {left} turn{(left == 1 ? "" : "s")}"
            );
        }
        if (entry.Delay is > 0 && _turnsBefore < entry.Delay)
        {
            return (
                LoreReasons.Delay,
                $"the story has {_turnsBefore} turn{(_turnsBefore == 1 ? "" : "s")} before this one; "
                    + $"this entry waits for {entry.Delay}"
            );
        }
        return null;
    }
}
