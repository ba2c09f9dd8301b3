using StoryEngine.Core.Adventures;

namespace StoryEngine.Core.Stories;

/// <summary>
/// What a turn operation decides on, read in one round trip (<see cref="IAdventureStore.GetTurnStateAsync"/>): the
/// adventure header, whose <see cref="Adventure.LastSequence"/> is the version an append expects, its newest turn
/// that is not undone, and the turn the operation names. Both turns are as of that version.
/// </summary>
public sealed record TurnState(Adventure Adventure, TurnRecord? Newest, TurnRecord? Target);
