using System.Text.Json;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Director;

/// <summary>
/// Reads the utility model's answers to the director's questions and checks them against the board: ids that exist,
/// evidence among the turns reviewed, lengths within bounds. A valid answer becomes events; an invalid one, the
/// reasons.
/// </summary>
public static class DirectorAnswers
{
    public const int MaxDirection = 600;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record TaskAnswer(string GoalId, string TaskId, string Status, int[] EvidenceTurns);

    private sealed record GoalAnswer(string GoalId, string Outcome, int[] EvidenceTurns);

    private sealed record ReviewAnswer(TaskAnswer[] Tasks, GoalAnswer[] Goals, string Direction);

    private sealed record ProposedGoal(string Title, string Description, int? ByTurn, string[] Tasks);

    private sealed record ProposalAnswer(ProposedGoal[] Goals);

    /// <summary>The review's events (tasks, goals, then the plan), or why the answer cannot be used.</summary>
    public static (IReadOnlyList<IStoryEventPayload>? Events, IReadOnlyList<string> Errors) Review(
        string text,
        GoalBoard board,
        int firstTurn,
        int lastTurn,
        string turnId
    )
    {
        ArgumentNullException.ThrowIfNull(board);
        if (!TryRead<ReviewAnswer>(text, out var answer, out var error))
        {
            return (null, [error]);
        }
        var errors = new List<string>();
        var events = new List<IStoryEventPayload>();
        bool Evidence(int[] turns, string what)
        {
            if (turns.Any(t => t < firstTurn || t > lastTurn))
            {
                errors.Add($"{what}: evidence turns must be from {firstTurn} to {lastTurn}.");
                return false;
            }
            return true;
        }
        foreach (var t in answer.Tasks ?? [])
        {
            var goal = board.Find(t.GoalId);
            var task = goal?.Tasks.FirstOrDefault(x => x.Id == t.TaskId);
            if (goal is not { IsActive: true } || task is null)
            {
                errors.Add($"task {t.TaskId} of goal {t.GoalId} is not an open task of an active goal.");
                continue;
            }
            if (!Evidence(t.EvidenceTurns ?? [], $"task {t.TaskId}") || task.Status == GoalTaskStatus.Done)
            {
                continue;
            }
            if (t.Status == GoalTaskStatus.Done)
            {
                events.Add(new GoalTaskDone(goal.Id, task.Id, t.EvidenceTurns ?? [], turnId));
            }
            else if (t.Status == GoalTaskStatus.Started && task.Status == GoalTaskStatus.Open)
            {
                events.Add(new GoalTaskStarted(goal.Id, task.Id, turnId));
            }
            else if (t.Status != GoalTaskStatus.Started)
            {
                errors.Add($"task {t.TaskId}: status must be started or done.");
            }
        }
        foreach (var g in answer.Goals ?? [])
        {
            if (board.Find(g.GoalId) is not { IsActive: true })
            {
                errors.Add($"goal {g.GoalId} is not an active goal.");
            }
            else if (g.Outcome is not (GoalStatus.Succeeded or GoalStatus.Failed))
            {
                errors.Add($"goal {g.GoalId}: outcome must be succeeded or failed.");
            }
            else if (Evidence(g.EvidenceTurns ?? [], $"goal {g.GoalId}"))
            {
                events.Add(new GoalCompleted(g.GoalId, g.Outcome, g.EvidenceTurns ?? [], turnId));
            }
        }
        var direction = answer.Direction?.Trim() ?? "";
        if (direction.Length == 0 || direction.Length > MaxDirection)
        {
            errors.Add($"direction must be 1 to {MaxDirection} characters.");
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        events.Add(new PlanRevised(direction, lastTurn, turnId));
        return (events, []);
    }

    /// <summary>The proposed goals as events, or why the answer cannot be used.</summary>
    public static (IReadOnlyList<GoalCreated>? Goals, IReadOnlyList<string> Errors) Proposal(
        string text,
        int maxTasks,
        string? turnId
    )
    {
        if (!TryRead<ProposalAnswer>(text, out var answer, out var error))
        {
            return (null, [error]);
        }
        var errors = new List<string>();
        foreach (var g in answer.Goals ?? [])
        {
            if (string.IsNullOrWhiteSpace(g.Title) || g.Title.Length > GoalService.MaxTitle)
            {
                errors.Add($"a goal's title must be 1 to {GoalService.MaxTitle} characters.");
            }
            if ((g.Description ?? "").Length > GoalService.MaxDescription)
            {
                errors.Add($"a goal's description must be at most {GoalService.MaxDescription} characters.");
            }
            if (g.ByTurn is < 1 or > GoalService.MaxByTurn)
            {
                errors.Add("byTurn must be a turn number.");
            }
            var tasks = g.Tasks ?? [];
            if (
                tasks.Length > maxTasks
                || tasks.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > GoalService.MaxTitle)
            )
            {
                errors.Add($"a goal has at most {maxTasks} tasks of 1 to {GoalService.MaxTitle} characters.");
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (
            [
                .. (answer.Goals ?? []).Select(g => new GoalCreated(
                    Ids.New(),
                    g.Title.Trim(),
                    g.Description?.Trim() ?? "",
                    g.ByTurn,
                    [.. (g.Tasks ?? []).Select(t => new GoalTaskSpec(Ids.New(), t.Trim()))],
                    "director",
                    turnId
                )),
            ],
            []
        );
    }

    private static bool TryRead<T>(string text, out T answer, out string error)
        where T : class
    {
        answer = null!;
        error = "";
        try
        {
            var read = JsonSerializer.Deserialize<T>(Narration.ModelAnswers.StripFence(text), Json);
            if (read is null)
            {
                error = "the answer was null";
                return false;
            }
            answer = read;
            return true;
        }
        catch (JsonException e)
        {
            error = $"not JSON in the schema: {e.Message}";
            return false;
        }
    }
}
