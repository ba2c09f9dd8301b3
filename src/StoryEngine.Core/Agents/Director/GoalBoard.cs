namespace StoryEngine.Core.Agents.Director;

/// <summary>Where a goal stands.</summary>
public static class GoalStatus
{
    public const string Active = "active";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Abandoned = "abandoned";

    public static readonly IReadOnlyList<string> Ended = [Succeeded, Failed, Abandoned];
}

/// <summary>Where a task stands.</summary>
public static class GoalTaskStatus
{
    public const string Open = "open";
    public const string Started = "started";
    public const string Done = "done";
}

public sealed record GoalTask(string Id, string Title, string Status, IReadOnlyList<int> EvidenceTurns);

public sealed record Goal(
    string Id,
    string Title,
    string Description,
    int? ByTurn,
    string Source,
    string Status,
    IReadOnlyList<int> EvidenceTurns,
    IReadOnlyList<GoalTask> Tasks
)
{
    public bool IsActive => Status == GoalStatus.Active;
}

/// <summary>An adventure's goals as the story log has them now, and the director's newest direction.</summary>
/// <param name="Direction">What the director last told the narrator; null before its first review.</param>
/// <param name="ReviewedThroughTurn">The newest turn the director has reviewed (0: none).</param>
public sealed record GoalBoard(IReadOnlyList<Goal> Goals, string? Direction, int ReviewedThroughTurn)
{
    public static readonly GoalBoard Empty = new([], null, 0);

    public bool HasActiveGoals => Goals.Any(g => g.IsActive);

    public Goal? Find(string goalId) => Goals.FirstOrDefault(g => g.Id == goalId);
}
