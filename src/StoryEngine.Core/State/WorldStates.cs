using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>An adventure's world state as of a turn, and the player's corrections to it.</summary>
public sealed class WorldStates(IStoryLog log, StoryWriter writer)
{
    private const int PageSize = 1000;

    /// <summary>The state after turn <paramref name="atTurn"/> (the newest when null) of an adventure the caller owns.</summary>
    public async Task<(WorldState State, long Sequence)> GetAsync(string ownerId, string adventureId, int? atTurn, CancellationToken cancellationToken)
    {
        var adventure = await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        if (atTurn is { } n && (n < 0 || n > adventure.TurnCount))
        {
            throw ValidationFailedException.For("atTurn", $"atTurn must be a turn number from 0 to {adventure.TurnCount}.");
        }
        var events = await ReadAllAsync(adventureId, cancellationToken);
        return (StateProjection.Project(events, atTurn), events.Count == 0 ? 0 : events[^1].Sequence);
    }

    /// <summary>The newest state, for the prompt.</summary>
    public async Task<WorldState> CurrentAsync(Adventure adventure, CancellationToken cancellationToken) =>
        StateProjection.Project(await ReadAllAsync(adventure.Id, cancellationToken), null);

    /// <summary>Replaces the newest state with <paramref name="corrected"/> after checking it; recorded as <see cref="StateCorrected"/>.</summary>
    public async Task<WorldState> CorrectAsync(string ownerId, string adventureId, WorldState corrected, CancellationToken cancellationToken)
    {
        var errors = StateRules.Validate(corrected);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(new Dictionary<string, string[]> { ["state"] = errors.ToArray() });
        }
        await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        var newest = (await log.ListTurnsAsync(adventureId, null, 1, includeUndone: false, cancellationToken)).FirstOrDefault();
        await writer.AppendLatestAsync(ownerId, adventureId, ownerId, [new StateCorrected(newest?.TurnId, corrected)], cancellationToken);
        return corrected;
    }

    public async Task<IReadOnlyList<StoryEvent>> ReadAllAsync(string adventureId, CancellationToken cancellationToken)
    {
        var events = new List<StoryEvent>();
        while (true)
        {
            var page = await log.ReadAsync(adventureId, events.Count == 0 ? 0 : events[^1].Sequence, PageSize, cancellationToken);
            events.AddRange(page);
            if (page.Count < PageSize)
            {
                return events;
            }
        }
    }
}
