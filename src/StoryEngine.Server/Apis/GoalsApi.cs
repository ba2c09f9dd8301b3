using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Agents.Director;
using StoryEngine.Core.Jobs;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>An adventure's goals and tasks, and the director that reviews them (issue 22, docs/adr/0057).</summary>
public static class GoalsApi
{
    public static RouteGroupBuilder MapGoalsApi(this RouteGroupBuilder api)
    {
        var goals = api.MapGroup("/adventures/{id}/goals").WithTags("Adventures");
        goals
            .MapGet("/", List)
            .WithName("ListGoals")
            .WithSummary("The adventure's goals with their tasks, and the director's newest direction")
            .ProducesProblem(404);
        goals
            .MapPost("/", Create)
            .WithName("CreateGoal")
            .WithSummary("Set a goal, with its tasks; recorded as an event")
            .ProducesProblem(400)
            .ProducesProblem(404);
        goals
            .MapPost("/propose", Propose)
            .WithName("ProposeGoals")
            .WithSummary("Ask the director to propose goals from the world and the story so far (a background job)")
            .ProducesProblem(404);
        goals
            .MapPatch("/{goalId}", Update)
            .WithName("UpdateGoal")
            .WithSummary("Change a goal, add tasks, end it (succeeded, failed, abandoned) or take it up again")
            .ProducesProblem(400)
            .ProducesProblem(404);
        goals
            .MapPatch("/{goalId}/tasks/{taskId}", UpdateTask)
            .WithName("UpdateGoalTask")
            .WithSummary("Mark a task started or done")
            .ProducesProblem(400)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<GoalsResponse>> List(
        string id,
        HttpContext context,
        GoalService goals,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(GoalsResponse.From(id, await goals.GetAsync(context.User.UserId(), id, cancellationToken)));

    private static async Task<Created<GoalResponse>> Create(
        string id,
        CreateGoalRequest request,
        HttpContext context,
        GoalService goals,
        CancellationToken cancellationToken
    )
    {
        var goal = await goals.CreateAsync(
            context.User.UserId(),
            id,
            new GoalDraft(request.Title, request.Description, request.ByTurn, request.Tasks),
            cancellationToken
        );
        return TypedResults.Created($"/api/v1/adventures/{id}/goals", GoalResponse.From(goal));
    }

    private static async Task<Accepted<JobResponse>> Propose(
        string id,
        HttpContext context,
        GoalService goals,
        IJobStore jobs,
        CancellationToken cancellationToken
    )
    {
        var userId = context.User.UserId();
        var jobId = await goals.ProposeAsync(userId, id, cancellationToken);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        return TypedResults.Accepted($"/api/v1/jobs/{jobId}", JobResponse.From(job!));
    }

    private static async Task<Ok<GoalResponse>> Update(
        string id,
        string goalId,
        UpdateGoalRequest request,
        HttpContext context,
        GoalService goals,
        CancellationToken cancellationToken
    )
    {
        var goal = await goals.UpdateAsync(
            context.User.UserId(),
            id,
            goalId,
            new GoalPatch(request.Title, request.Description, request.ByTurn, request.AddTasks, request.Status),
            cancellationToken
        );
        return TypedResults.Ok(GoalResponse.From(goal));
    }

    private static async Task<Ok<GoalResponse>> UpdateTask(
        string id,
        string goalId,
        string taskId,
        UpdateGoalTaskRequest request,
        HttpContext context,
        GoalService goals,
        CancellationToken cancellationToken
    )
    {
        var goal = await goals.SetTaskAsync(
            context.User.UserId(),
            id,
            goalId,
            taskId,
            request.Status,
            cancellationToken
        );
        return TypedResults.Ok(GoalResponse.From(goal));
    }
}
