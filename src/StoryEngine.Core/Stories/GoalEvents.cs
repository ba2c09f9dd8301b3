namespace StoryEngine.Core.Stories;

// The director's events (issue 22, docs/adr/0057-the-director.md). Each carries TurnId: the newest turn when it was
// decided. A decision of the director counts while that turn stands, so undoing the turn takes it back with no
// clean-up; the player's own (TurnId null) always count.

/// <summary>One task of a goal as written.</summary>
public sealed record GoalTaskSpec(string TaskId, string Title);

/// <summary>A goal was set: by the player (<c>player</c>) or proposed by the director (<c>director</c>).</summary>
public sealed record GoalCreated(
    string GoalId,
    string Title,
    string Description,
    int? ByTurn,
    IReadOnlyList<GoalTaskSpec> Tasks,
    string Source,
    string? TurnId = null
) : IStoryEventPayload;

/// <summary>The player changed a goal: what is not null replaces what was; <see cref="AddedTasks"/> are
/// appended.</summary>
public sealed record GoalUpdated(
    string GoalId,
    string? Title,
    string? Description,
    int? ByTurn,
    IReadOnlyList<GoalTaskSpec>? AddedTasks,
    string? TurnId = null
) : IStoryEventPayload;

/// <summary>A goal ended: <c>succeeded</c>, <c>failed</c> (the director, with the turns that show it, or the player)
/// or <c>abandoned</c> (the player).</summary>
public sealed record GoalCompleted(
    string GoalId,
    string Outcome,
    IReadOnlyList<int> EvidenceTurns,
    string? TurnId = null
) : IStoryEventPayload;

/// <summary>The player took a goal up again after it ended.</summary>
public sealed record GoalReopened(string GoalId, string? TurnId = null) : IStoryEventPayload;

/// <summary>Work on a task began in the story.</summary>
public sealed record GoalTaskStarted(string GoalId, string TaskId, string? TurnId = null) : IStoryEventPayload;

/// <summary>A task was done, with the turns that show it (none when the player ticked it).</summary>
public sealed record GoalTaskDone(string GoalId, string TaskId, IReadOnlyList<int> EvidenceTurns, string? TurnId = null)
    : IStoryEventPayload;

/// <summary>The director reviewed the story through <see cref="ReviewedThroughTurn"/> and wrote the narrator's next
/// direction.</summary>
public sealed record PlanRevised(string Direction, int ReviewedThroughTurn, string? TurnId = null) : IStoryEventPayload;

/// <summary>The director's answers about the turns through <see cref="ReviewedThroughTurn"/> were invalid twice;
/// nothing was changed, and the next review starts after them.</summary>
public sealed record PlanReviewSkipped(int ReviewedThroughTurn, string Reason, string? TurnId = null)
    : IStoryEventPayload;
