using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>An adventure's world state as of a turn, and the player's corrections to it.</summary>
public sealed class WorldStates(IStoryLog log, StoryWriter writer, WorldStateCache cache)
{
    /// <summary>The state after turn <paramref name="atTurn"/> (the newest when null) of an adventure the caller
    /// owns.</summary>
    public async Task<(WorldState State, long Sequence)> GetAsync(
        string ownerId,
        string adventureId,
        int? atTurn,
        CancellationToken cancellationToken
    )
    {
        var adventure = await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        if (atTurn is { } n && (n < 0 || n > adventure.TurnCount))
        {
            throw ValidationFailedException.For(
                "atTurn",
                "atTurn must be a turn number from 0 to " + $"{adventure.TurnCount}."
            );
        }
        var state = await cache.ReadAsync(adventureId, fold => fold.At(atTurn), cancellationToken);
        return (state, adventure.LastSequence);
    }

    /// <summary>The newest state, for the prompt.</summary>
    public Task<WorldState> CurrentAsync(Adventure adventure, CancellationToken cancellationToken) =>
        cache.ReadAsync(adventure.Id, fold => fold.Current, cancellationToken);

    /// <summary>The newest state and whether this narration's change is already recorded (or skipped), read
    /// together.</summary>
    public Task<(WorldState State, bool Extracted)> ForExtractionAsync(
        string adventureId,
        string turnId,
        int alternative,
        CancellationToken cancellationToken
    ) => cache.ReadAsync(adventureId, fold => (fold.Current, fold.Extracted(turnId, alternative)), cancellationToken);

    /// <summary>Replaces the newest state with <paramref name="corrected"/> after checking it; recorded as <see
    /// cref="StateCorrected"/>.</summary>
    public async Task<WorldState> CorrectAsync(
        string ownerId,
        string adventureId,
        WorldState corrected,
        CancellationToken cancellationToken
    )
    {
        var errors = StateRules.Validate(corrected);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(new Dictionary<string, string[]> { ["state"] = errors.ToArray() });
        }
        await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        var newest = (
            await log.ListTurnsAsync(adventureId, null, 1, includeUndone: false, cancellationToken)
        ).FirstOrDefault();
        await writer.AppendLatestAsync(
            ownerId,
            adventureId,
            ownerId,
            [new StateCorrected(newest?.TurnId, corrected)],
            cancellationToken
        );
        return corrected;
    }
}
