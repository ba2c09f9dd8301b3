using StoryEngine.Core.State;

namespace StoryEngine.Core.Stories;

/// <summary>
/// The world state changed in a turn, as the utility model reported it and the rules accepted it. It counts while
/// its turn stands and <see cref="Alternative"/> is the narration chosen, so undo, retry and fork need no clean-up.
/// </summary>
public sealed record StateChanged(string TurnId, int Alternative, StateChange Change) : IStoryEventPayload;

/// <summary>The player corrected the world state after turn <see cref="TurnId"/>; <see cref="State"/> is the whole
/// state as corrected.</summary>
public sealed record StateCorrected(string? TurnId, WorldState State) : IStoryEventPayload;

/// <summary>The model's report of what a turn changed was invalid twice; the state was left as it was.</summary>
public sealed record StateExtractionSkipped(string TurnId, int Alternative, string Reason) : IStoryEventPayload;
