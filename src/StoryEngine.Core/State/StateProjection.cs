using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// The world state is a fold of the story log, like the transcript: a change counts only while its turn is not
/// undone and its narration is the chosen one, and a fork copies only the events of the turns it keeps. The fold
/// itself is <see cref="StateFold"/>; this is the one-shot form over events already read.
/// </summary>
public static class StateProjection
{
    /// <summary>The state after turn <paramref name="atTurn"/> (after everything when null).</summary>
    public static WorldState Project(IReadOnlyList<StoryEvent> events, int? atTurn)
    {
        var fold = new StateFold();
        fold.Apply(events);
        return fold.At(atTurn);
    }
}
