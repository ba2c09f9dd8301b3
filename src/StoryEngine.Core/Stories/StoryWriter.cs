using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Stories;

/// <summary>
/// Appends events to an adventure's log: loads its last sequence, numbers the new events after it, folds them
/// into the turns they touch, and commits both with the sequence check.
/// </summary>
public sealed class StoryWriter(IAdventureStore adventures, IStoryLog log, TimeProvider clock)
{
    public async Task<Adventure> LoadAsync(string ownerId, string adventureId, CancellationToken cancellationToken) =>
        await adventures.GetAsync(ownerId, adventureId, cancellationToken) ?? throw new NotFoundException("adventure", adventureId);

    /// <summary>
    /// Appends events that do not depend on the log's exact position (background results such as a state change):
    /// loads the newest sequence and, when another writer got there first, loads again and retries, so background work
    /// never makes a player's write lose its race for long.
    /// </summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendLatestAsync(string ownerId, string adventureId, string actor, IReadOnlyList<IStoryEventPayload> payloads, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var adventure = await LoadAsync(ownerId, adventureId, cancellationToken);
            try
            {
                return await AppendAsync(adventure, actor, payloads, cancellationToken);
            }
            catch (ConflictException e) when (e.Code == "story_conflict" && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), clock, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Events that say nothing a player's write was checked against: the world state a background job extracted (or
    /// skipped) and a player's correction of it. One of these landing between a write's checks and its append does not
    /// make the write stale, so the write is numbered after it and appended again instead of refused.
    /// </summary>
    private static readonly HashSet<string> PositionFree = new(StringComparer.Ordinal)
    {
        nameof(StateChanged), nameof(StateExtractionSkipped), nameof(StateCorrected),
    };

    /// <summary>
    /// Appends and returns the turns as they now stand (one per touched turn). Refused with <c>story_conflict</c> when
    /// the log moved on since <paramref name="adventure"/> was loaded, unless all that came in between is
    /// position-free (a state job's result): a player's next action is not turned away because one finished first.
    /// </summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendAsync(Adventure adventure, string actor, IReadOnlyList<IStoryEventPayload> payloads, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(adventure, actor, payloads, cancellationToken);
            }
            catch (ConflictException e) when (e.Code == "story_conflict" && attempt < 10)
            {
                var landed = await log.ReadAsync(adventure.Id, adventure.LastSequence, 100, cancellationToken);
                if (landed.Count == 0 || landed.Count == 100 || landed.Any(l => !PositionFree.Contains(l.Type)))
                {
                    throw;
                }
                adventure = adventure with { LastSequence = landed[^1].Sequence };
            }
        }
    }

    private async Task<IReadOnlyList<TurnRecord>> AppendOnceAsync(Adventure adventure, string actor, IReadOnlyList<IStoryEventPayload> payloads, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var events = payloads.Select((p, i) => StoryEvent.Create(adventure.Id, adventure.LastSequence + 1 + i, p, actor, now)).ToArray();
        var turns = new Dictionary<string, TurnRecord>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (StoryProjection.TurnIdOf(e) is not { } turnId)
            {
                continue;
            }
            if (!turns.TryGetValue(turnId, out var current) && e.Type != nameof(ActionTaken) && e.Type != nameof(OpeningWritten))
            {
                current = await log.GetTurnAsync(adventure.Id, turnId, cancellationToken);
            }
            if (StoryProjection.Apply(current, e) is { } next)
            {
                turns[turnId] = next;
            }
        }
        await log.AppendAsync(adventure.Id, adventure.LastSequence, events, turns.Values.ToArray(), cancellationToken);
        return turns.Values.ToArray();
    }
}
