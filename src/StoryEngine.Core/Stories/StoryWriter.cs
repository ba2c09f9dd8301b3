using System.Collections.Frozen;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Stories;

/// <summary>What an append left: the adventure at its new version, and the turns it changed as they stand.</summary>
public sealed record StoryAppend(Adventure Adventure, IReadOnlyList<TurnRecord> Turns);

/// <summary>
/// Appends events to an adventure's log: numbers the new events after the version the caller loaded, folds them
/// into the turns they touch, and commits both with the sequence check.
/// </summary>
public sealed class StoryWriter(
    IAdventureStore adventures,
    IStoryLog log,
    TimeProvider clock,
    Jobs.ForegroundGate? foreground = null
)
{
    public async Task<Adventure> LoadAsync(string ownerId, string adventureId, CancellationToken cancellationToken) =>
        await adventures.GetAsync(ownerId, adventureId, cancellationToken)
        ?? throw new NotFoundException("adventure", adventureId);

    /// <summary>What a turn operation decides on, in one round trip; 404 when the owner has no such one.</summary>
    public async Task<TurnState> LoadStateAsync(
        string ownerId,
        string adventureId,
        string? turnId,
        CancellationToken cancellationToken
    ) =>
        await adventures.GetTurnStateAsync(ownerId, adventureId, turnId, cancellationToken)
        ?? throw new NotFoundException("adventure", adventureId);

    /// <summary>
    /// Appends events that do not depend on the log's exact position (background results such as a state change):
    /// loads the newest sequence and, when another writer got there first, loads again and retries, so background work
    /// never makes a player's write lose its race for long.
    /// </summary>
    public Task<IReadOnlyList<TurnRecord>> AppendLatestAsync(
        string ownerId,
        string adventureId,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        CancellationToken cancellationToken
    ) => AppendLatestAsync(ownerId, adventureId, actor, payloads, null, cancellationToken);

    /// <summary>
    /// A background job's result, appended as <see cref="AppendLatestAsync(string, string, string,
    /// IReadOnlyList{IStoryEventPayload}, CancellationToken)"/> does once no player's turn is being prepared on this
    /// node (or the job has waited <see cref="Jobs.ForegroundGate.BackgroundWait"/>): a write of the single writer
    /// never lands between a player's move and its first token when it can wait a few milliseconds (issue 19).
    /// </summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendInBackgroundAsync(
        string ownerId,
        string adventureId,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        CancellationToken cancellationToken
    )
    {
        if (foreground is not null)
        {
            await foreground.WaitForQuietAsync(foreground.BackgroundWait, cancellationToken);
        }
        return await AppendLatestAsync(ownerId, adventureId, actor, payloads, null, cancellationToken);
    }

    /// <summary>
    /// Like the overload above, but tries <paramref name="known"/> first: a narration's outcome is appended at the
    /// version its own action left, which saves a load whenever nothing but position-free events came since.
    /// </summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendLatestAsync(
        string ownerId,
        string adventureId,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        StoryAppend? known,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return known is not null && attempt == 1
                    ? (await AppendAsync(known.Adventure, actor, payloads, known.Turns, cancellationToken)).Turns
                    : await AppendAsync(
                        await LoadAsync(ownerId, adventureId, cancellationToken),
                        actor,
                        payloads,
                        cancellationToken
                    );
            }
            catch (StoryConflictException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), clock, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Events that say nothing a player's write was checked against (<see cref="SideEvents"/>). One of these landing
    /// between a write's checks and its append does not make the write stale, so the write is numbered after it and
    /// appended again instead of refused.
    /// </summary>
    private static readonly FrozenSet<string> PositionFree = SideEvents.Types;

    /// <summary>
    /// Appends and returns the turns as they now stand (one per touched turn). Refused with <c>story_conflict</c> when
    /// the log moved on since <paramref name="adventure"/> was loaded, unless all that came in between is
    /// position-free (a state job's result): a player's next action is not turned away because one finished first.
    /// </summary>
    public async Task<IReadOnlyList<TurnRecord>> AppendAsync(
        Adventure adventure,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        CancellationToken cancellationToken
    ) => (await AppendAsync(adventure, actor, payloads, [], cancellationToken)).Turns;

    /// <summary>
    /// As above, folding onto <paramref name="known"/> turns instead of reading them again. They must be as of
    /// <paramref name="adventure"/>'s version (from the same load): the sequence check then proves them current,
    /// since position-free events change no turn.
    /// </summary>
    public async Task<StoryAppend> AppendAsync(
        Adventure adventure,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        IReadOnlyCollection<TurnRecord> known,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(adventure, actor, payloads, known, cancellationToken);
            }
            catch (StoryConflictException) when (attempt < 10)
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

    private async Task<StoryAppend> AppendOnceAsync(
        Adventure adventure,
        string actor,
        IReadOnlyList<IStoryEventPayload> payloads,
        IReadOnlyCollection<TurnRecord> known,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var events = payloads
            .Select((p, i) => StoryEvent.Create(adventure.Id, adventure.LastSequence + 1 + i, p, actor, now))
            .ToArray();
        var turns = new Dictionary<string, TurnRecord>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (StoryProjection.TurnIdOf(e) is not { } turnId)
            {
                continue;
            }
            if (
                !turns.TryGetValue(turnId, out var current)
                && e.Type != nameof(ActionTaken)
                && e.Type != nameof(OpeningWritten)
            )
            {
                current = known.FirstOrDefault(t => t.TurnId == turnId)
                    ?? await log.GetTurnAsync(adventure.Id, turnId, cancellationToken);
            }
            if (StoryProjection.Apply(current, e) is { } next)
            {
                turns[turnId] = next;
            }
        }
        await log.AppendAsync(adventure.Id, adventure.LastSequence, events, turns.Values.ToArray(), cancellationToken);
        var after = adventure with
        {
            LastSequence = events.Length == 0 ? adventure.LastSequence : events[^1].Sequence,
            TurnCount = adventure.TurnCount + events.Count(e => e.Type == nameof(ActionTaken)),
            UpdatedAt = events.Length == 0 ? adventure.UpdatedAt : events[^1].At,
        };
        return new StoryAppend(after, turns.Values.ToArray());
    }
}
