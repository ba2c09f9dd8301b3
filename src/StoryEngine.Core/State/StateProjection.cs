using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// The world state is a fold of the story log, like the transcript: a change counts only while its turn is not
/// undone and its narration is the chosen one, and a fork copies only the events of the turns it keeps.
/// </summary>
public static class StateProjection
{
    /// <summary>The state after turn <paramref name="atTurn"/> (after everything when null).</summary>
    public static WorldState Project(IReadOnlyList<StoryEvent> events, int? atTurn)
    {
        var turns = StoryProjection.Replay(events).ToDictionary(t => t.TurnId, StringComparer.Ordinal);
        var state = WorldState.Empty;
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case nameof(StateChanged):
                    var change = e.Read<StateChanged>();
                    if (Counts(turns, change.TurnId, atTurn) is { } turn && turn.Chosen == change.Alternative)
                    {
                        state = StateRules.Apply(state, change.Change);
                    }
                    break;
                case nameof(StateCorrected):
                    var correction = e.Read<StateCorrected>();
                    if (correction.TurnId is null || Counts(turns, correction.TurnId, atTurn) is not null)
                    {
                        state = correction.State;
                    }
                    break;
            }
        }
        return state;
    }

    /// <summary>Whether a StateChanged or StateExtractionSkipped for this narration is already in the log.</summary>
    public static bool Extracted(IReadOnlyList<StoryEvent> events, string turnId, int alternative) =>
        events.Any(e => e.Type switch
        {
            nameof(StateChanged) => e.Read<StateChanged>() is var p && p.TurnId == turnId && p.Alternative == alternative,
            nameof(StateExtractionSkipped) => e.Read<StateExtractionSkipped>() is var p && p.TurnId == turnId && p.Alternative == alternative,
            _ => false,
        });

    private static TurnRecord? Counts(Dictionary<string, TurnRecord> turns, string turnId, int? atTurn) =>
        turns.TryGetValue(turnId, out var turn) && !turn.Undone && (atTurn is null || turn.Number <= atTurn) ? turn : null;
}
