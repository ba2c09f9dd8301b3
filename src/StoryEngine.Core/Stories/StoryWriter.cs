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

    /// <summary>Appends and returns the turns as they now stand (one per touched turn).</summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendAsync(Adventure adventure, string actor, IReadOnlyList<IStoryEventPayload> payloads, CancellationToken cancellationToken)
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
