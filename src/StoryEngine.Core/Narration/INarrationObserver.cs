namespace StoryEngine.Core.Narration;

/// <summary>
/// Told after a narration is stored as completed, to schedule follow-up work (memory indexing, summaries, world
/// state). Called after the outcome is committed; an observer that throws is logged and never fails the turn.
/// Observers should only enqueue background jobs, not do slow work themselves.
/// </summary>
public interface INarrationObserver
{
    Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken);
}

/// <summary>A narration that has just been committed as completed.</summary>
/// <param name="After">A sequence of the adventure's log before the narration's outcome: what follow-up work records
/// about it comes later (0 when not known).</param>
public sealed record CompletedNarration(
    string OwnerId,
    string AdventureId,
    string TurnId,
    int TurnNumber,
    int Alternative,
    long After = 0
);
