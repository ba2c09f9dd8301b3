using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Director;

/// <summary>A goal as the player writes it.</summary>
public sealed record GoalDraft(string? Title, string? Description, int? ByTurn, IReadOnlyList<string>? Tasks);

/// <summary>A change to a goal: what is not null changes; <see cref="Status"/> ends a goal or takes it up
/// again.</summary>
public sealed record GoalPatch(
    string? Title,
    string? Description,
    int? ByTurn,
    IReadOnlyList<string>? AddTasks,
    string? Status
);

/// <summary>
/// The player's side of the director (issue 22): read an adventure's goals, write and change them, tick tasks, and
/// ask the director to propose goals. Every change is an event in the story log (load → decide → append), so the
/// goals fork, replay and export with the story.
/// </summary>
public sealed class GoalService(StoryWriter writer, GoalBoards boards, IJobQueue jobs, DirectorOptions options)
{
    public const int MaxTitle = 200;
    public const int MaxDescription = 2_000;
    public const int MaxByTurn = 100_000;

    public async Task<GoalBoard> GetAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        return await boards.GetAsync(adventureId, cancellationToken);
    }

    public async Task<Goal> CreateAsync(
        string ownerId,
        string adventureId,
        GoalDraft draft,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new FieldErrors();
        errors.Required("title", draft.Title, MaxTitle);
        errors.MaxLength("description", draft.Description, MaxDescription);
        CheckByTurn(errors, draft.ByTurn);
        errors.List("tasks", draft.Tasks, options.MaxTasks, MaxTitle);
        errors.ThrowIfAny();
        var board = await GetAsync(ownerId, adventureId, cancellationToken);
        if (board.Goals.Count >= options.MaxGoals)
        {
            throw ValidationFailedException.For(
                "title",
                $"An adventure may have at most {options.MaxGoals} goals (Director:MaxGoals); end or reuse one."
            );
        }
        var goalId = Ids.New();
        await writer.AppendLatestAsync(
            ownerId,
            adventureId,
            ownerId,
            [
                new GoalCreated(
                    goalId,
                    draft.Title!.Trim(),
                    draft.Description?.Trim() ?? "",
                    draft.ByTurn,
                    Tasks(draft.Tasks),
                    "player"
                ),
            ],
            cancellationToken
        );
        return (await boards.GetAsync(adventureId, cancellationToken)).Find(goalId)!;
    }

    public async Task<Goal> UpdateAsync(
        string ownerId,
        string adventureId,
        string goalId,
        GoalPatch patch,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(patch);
        var errors = new FieldErrors();
        if (patch.Title is not null)
        {
            errors.Required("title", patch.Title, MaxTitle);
        }
        errors.MaxLength("description", patch.Description, MaxDescription);
        CheckByTurn(errors, patch.ByTurn);
        errors.List("addTasks", patch.AddTasks, options.MaxTasks, MaxTitle);
        if (patch.Status is not null && patch.Status != GoalStatus.Active && !GoalStatus.Ended.Contains(patch.Status))
        {
            errors.Add("status", "status must be active, succeeded, failed or abandoned.");
        }
        errors.ThrowIfAny();
        var goal = Find(await GetAsync(ownerId, adventureId, cancellationToken), goalId);
        if (goal.Tasks.Count + (patch.AddTasks?.Count ?? 0) > options.MaxTasks)
        {
            throw ValidationFailedException.For(
                "addTasks",
                $"A goal may have at most {options.MaxTasks} tasks (Director:MaxTasks); it has {goal.Tasks.Count}."
            );
        }
        var events = new List<IStoryEventPayload>();
        if (
            patch.Title is not null
            || patch.Description is not null
            || patch.ByTurn is not null
            || patch.AddTasks is { Count: > 0 }
        )
        {
            events.Add(
                new GoalUpdated(
                    goalId,
                    patch.Title?.Trim(),
                    patch.Description?.Trim(),
                    patch.ByTurn,
                    patch.AddTasks is { Count: > 0 } added ? Tasks(added) : null
                )
            );
        }
        if (patch.Status is { } status && status != goal.Status)
        {
            events.Add(status == GoalStatus.Active ? new GoalReopened(goalId) : new GoalCompleted(goalId, status, []));
        }
        if (events.Count > 0)
        {
            await writer.AppendLatestAsync(ownerId, adventureId, ownerId, events, cancellationToken);
        }
        return Find(await boards.GetAsync(adventureId, cancellationToken), goalId);
    }

    /// <summary>Marks a task started or done by the player's hand.</summary>
    public async Task<Goal> SetTaskAsync(
        string ownerId,
        string adventureId,
        string goalId,
        string taskId,
        string? status,
        CancellationToken cancellationToken
    )
    {
        if (status is not (GoalTaskStatus.Started or GoalTaskStatus.Done))
        {
            throw ValidationFailedException.For("status", "status must be started or done.");
        }
        var goal = Find(await GetAsync(ownerId, adventureId, cancellationToken), goalId);
        var task = goal.Tasks.FirstOrDefault(t => t.Id == taskId) ?? throw new NotFoundException("task", taskId);
        if (task.Status != status)
        {
            IStoryEventPayload change =
                status == GoalTaskStatus.Done
                    ? new GoalTaskDone(goalId, taskId, [])
                    : new GoalTaskStarted(goalId, taskId);
            await writer.AppendLatestAsync(ownerId, adventureId, ownerId, [change], cancellationToken);
        }
        return Find(await boards.GetAsync(adventureId, cancellationToken), goalId);
    }

    /// <summary>Queues the director's proposal of goals for the adventure; returns the job's id.</summary>
    public async Task<string> ProposeAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        return await jobs.EnqueueAsync(DirectorJob.ProposeRequest(ownerId, adventureId), cancellationToken);
    }

    private static void CheckByTurn(FieldErrors errors, int? byTurn)
    {
        if (byTurn is < 1 or > MaxByTurn)
        {
            errors.Add("byTurn", $"byTurn must be a turn number from 1 to {MaxByTurn}.");
        }
    }

    private static GoalTaskSpec[] Tasks(IReadOnlyList<string>? titles) =>
        [.. (titles ?? []).Select(t => new GoalTaskSpec(Ids.New(), t.Trim()))];

    private static Goal Find(GoalBoard board, string goalId) =>
        board.Find(goalId) ?? throw new NotFoundException("goal", goalId);
}
