using StoryEngine.Core.Agents.Director;

namespace StoryEngine.Server.Contracts;

/// <summary>POST /api/v1/adventures/{id}/goals.</summary>
public sealed record CreateGoalRequest(string? Title, string? Description, int? ByTurn, IReadOnlyList<string>? Tasks);

/// <summary>PATCH /api/v1/adventures/{id}/goals/{goalId}: what is given changes.</summary>
public sealed record UpdateGoalRequest(
    string? Title,
    string? Description,
    int? ByTurn,
    IReadOnlyList<string>? AddTasks,
    string? Status
);

/// <summary>PATCH /api/v1/adventures/{id}/goals/{goalId}/tasks/{taskId}.</summary>
public sealed record UpdateGoalTaskRequest(string? Status);

public sealed record GoalTaskResponse(string Id, string Title, string Status, IReadOnlyList<int> EvidenceTurns);

public sealed record GoalResponse(
    string Id,
    string Title,
    string Description,
    int? ByTurn,
    string Source,
    string Status,
    IReadOnlyList<int> EvidenceTurns,
    IReadOnlyList<GoalTaskResponse> Tasks
)
{
    public static GoalResponse From(Goal g) =>
        new(
            g.Id,
            g.Title,
            g.Description,
            g.ByTurn,
            g.Source,
            g.Status,
            g.EvidenceTurns,
            [.. g.Tasks.Select(t => new GoalTaskResponse(t.Id, t.Title, t.Status, t.EvidenceTurns))]
        );
}

/// <summary>GET /api/v1/adventures/{id}/goals: the goals, the director's newest direction and how far it has
/// read.</summary>
public sealed record GoalsResponse(
    string AdventureId,
    IReadOnlyList<GoalResponse> Goals,
    string? Direction,
    int ReviewedThroughTurn
)
{
    public static GoalsResponse From(string adventureId, GoalBoard board) =>
        new(adventureId, [.. board.Goals.Select(GoalResponse.From)], board.Direction, board.ReviewedThroughTurn);
}
