using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Director;

/// <summary>
/// The goals projection of one adventure (<see cref="GoalBoards"/>). It keeps the goal events it has seen, in log
/// order, and the turns undone, and folds the board from them when asked: an event decided at a turn that was undone
/// since no longer counts, so undo needs no clean-up. Goal events are few (a handful per review), so folding them again
/// after a change costs little.
/// </summary>
public sealed class GoalFold : IEventFold
{
    /// <summary>The event types the fold reads: the goal events, undo, and every action so its sequence moves on each
    /// turn.</summary>
    public static readonly IReadOnlyCollection<string> EventTypes =
    [
        nameof(ActionTaken),
        nameof(TurnUndone),
        nameof(GoalCreated),
        nameof(GoalUpdated),
        nameof(GoalCompleted),
        nameof(GoalReopened),
        nameof(GoalTaskStarted),
        nameof(GoalTaskDone),
        nameof(PlanRevised),
        nameof(PlanReviewSkipped),
    ];

    private readonly List<StoryEvent> _events = [];
    private readonly HashSet<string> _undone = new(StringComparer.Ordinal);
    private GoalBoard? _board;

    public long Sequence { get; private set; }

    /// <summary>The goals as the events seen so far leave them.</summary>
    public GoalBoard Board => _board ??= Fold(_events, _undone);

    public void Apply(IEnumerable<StoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            if (e.Sequence <= Sequence)
            {
                continue;
            }
            Sequence = e.Sequence;
            switch (e.Type)
            {
                case nameof(ActionTaken):
                    break;
                case nameof(TurnUndone):
                    if (_undone.Add(e.Read<TurnUndone>().TurnId))
                    {
                        _board = null;
                    }
                    break;
                default:
                    _events.Add(e);
                    _board = null;
                    break;
            }
        }
    }

    /// <summary>Folds goal events (in log order) into a board, leaving out decisions of undone turns.</summary>
    public static GoalBoard Fold(IEnumerable<StoryEvent> events, IReadOnlySet<string> undone)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(undone);
        var goals = new List<Goal>();
        string? direction = null;
        var reviewed = 0;
        bool Counts(string? turnId) => turnId is null || !undone.Contains(turnId);
        int IndexOf(string goalId) => goals.FindIndex(g => g.Id == goalId);
        void Change(string goalId, Func<Goal, Goal> change)
        {
            var i = IndexOf(goalId);
            if (i >= 0)
            {
                goals[i] = change(goals[i]);
            }
        }
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case nameof(GoalCreated) when e.Read<GoalCreated>() is var c && Counts(c.TurnId):
                    if (IndexOf(c.GoalId) < 0)
                    {
                        goals.Add(
                            new Goal(
                                c.GoalId,
                                c.Title,
                                c.Description,
                                c.ByTurn,
                                c.Source,
                                GoalStatus.Active,
                                [],
                                [.. c.Tasks.Select(t => new GoalTask(t.TaskId, t.Title, GoalTaskStatus.Open, []))]
                            )
                        );
                    }
                    break;
                case nameof(GoalUpdated) when e.Read<GoalUpdated>() is var u && Counts(u.TurnId):
                    Change(u.GoalId, g =>
                        g with
                        {
                            Title = u.Title ?? g.Title,
                            Description = u.Description ?? g.Description,
                            ByTurn = u.ByTurn ?? g.ByTurn,
                            Tasks =
                            [
                                .. g.Tasks,
                                .. (u.AddedTasks ?? [])
                                    .Where(t => g.Tasks.All(old => old.Id != t.TaskId))
                                    .Select(t => new GoalTask(t.TaskId, t.Title, GoalTaskStatus.Open, [])),
                            ],
                        }
                    );
                    break;
                case nameof(GoalCompleted) when e.Read<GoalCompleted>() is var done && Counts(done.TurnId):
                    Change(done.GoalId, g => g with { Status = done.Outcome, EvidenceTurns = done.EvidenceTurns });
                    break;
                case nameof(GoalReopened) when e.Read<GoalReopened>() is var again && Counts(again.TurnId):
                    Change(again.GoalId, g => g with { Status = GoalStatus.Active, EvidenceTurns = [] });
                    break;
                case nameof(GoalTaskStarted) when e.Read<GoalTaskStarted>() is var s && Counts(s.TurnId):
                    Change(s.GoalId, g =>
                        WithTask(g, s.TaskId, t =>
                            t.Status == GoalTaskStatus.Open ? t with { Status = GoalTaskStatus.Started } : t
                        )
                    );
                    break;
                case nameof(GoalTaskDone) when e.Read<GoalTaskDone>() is var d && Counts(d.TurnId):
                    Change(d.GoalId, g =>
                        WithTask(g, d.TaskId, t =>
                            t with
                            {
                                Status = GoalTaskStatus.Done,
                                EvidenceTurns = d.EvidenceTurns,
                            }
                        )
                    );
                    break;
                case nameof(PlanRevised) when e.Read<PlanRevised>() is var p && Counts(p.TurnId):
                    direction = p.Direction;
                    reviewed = Math.Max(reviewed, p.ReviewedThroughTurn);
                    break;
                case nameof(PlanReviewSkipped) when e.Read<PlanReviewSkipped>() is var k && Counts(k.TurnId):
                    reviewed = Math.Max(reviewed, k.ReviewedThroughTurn);
                    break;
            }
        }
        return new GoalBoard(goals, direction, reviewed);
    }

    private static Goal WithTask(Goal goal, string taskId, Func<GoalTask, GoalTask> change) =>
        goal with
        {
            Tasks = [.. goal.Tasks.Select(t => t.Id == taskId ? change(t) : t)],
        };
}

/// <summary>The goals of recently played adventures, each kept up to date from its log's tail.</summary>
public sealed class GoalBoards(IStoryLog log) : EventFoldCache<GoalFold>(log, GoalFold.EventTypes)
{
    /// <summary>The adventure's goals as of its newest event.</summary>
    public Task<GoalBoard> GetAsync(string adventureId, CancellationToken cancellationToken) =>
        ReadAsync(adventureId, fold => fold.Board, cancellationToken);
}
