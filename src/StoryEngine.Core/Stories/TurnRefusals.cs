using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Stories;

// The refusals of the turn operations (TurnDecider, TurnRegistry, StoryWriter). Each is its own type so callers
// catch and switch on the kind instead of comparing code strings; each is a 409 like the ConflictException it was.
// The problem code each carries is its ProblemCode, listed once in the server's problem catalogue.

/// <summary>A narration of the adventure is in flight on this node; only one runs at a time per adventure.</summary>
public sealed class TurnInProgressException(string adventureId)
    : ConflictException(
        $"Adventure '{adventureId}' is already narrating a turn. Wait for it to finish, or stop it, then try again.",
        ProblemCode
    )
{
    public const string ProblemCode = "turn_in_progress";
}

/// <summary>Stop was asked for while nothing was narrating.</summary>
public sealed class NoTurnInProgressException() : ConflictException("No turn is being narrated.", ProblemCode)
{
    public const string ProblemCode = "no_turn_in_progress";
}

/// <summary>Retry names a turn that is not the newest standing one (or the opening).</summary>
public sealed class NotNewestTurnException()
    : ConflictException(
        "Only the newest turn can be narrated again. To change an earlier one, fork from it.",
        ProblemCode
    )
{
    public const string ProblemCode = "not_newest_turn";
}

/// <summary>Undo with only the opening left standing.</summary>
public sealed class NothingToUndoException() : ConflictException("There is no turn to undo.", ProblemCode)
{
    public const string ProblemCode = "nothing_to_undo";
}

/// <summary>Another greeting was asked for after the story went on from the opening.</summary>
public sealed class OpeningLockedException()
    : ConflictException(
        "The opening can be swiped only before the first turn. Undo the turns taken, or start a new adventure.",
        ProblemCode
    )
{
    public const string ProblemCode = "opening_locked";
}

/// <summary>Choose or edit names a turn that was undone; it stays in the log but cannot change.</summary>
public sealed class TurnUndoneException(string turnId)
    : ConflictException($"Turn '{turnId}' was undone; fork from an earlier turn to take another path.", ProblemCode)
{
    public const string ProblemCode = "turn_undone";
}

/// <summary>
/// The log moved past the sequence an append expected: another writer got there first. Raised by the stores;
/// <see cref="StoryWriter"/> catches it to let position-free events through.
/// </summary>
public sealed class StoryConflictException(string adventureId)
    : ConflictException(
        $"The story log of adventure '{adventureId}' moved on while this change was made. Reload and try again.",
        ProblemCode
    )
{
    public const string ProblemCode = "story_conflict";
}
