using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>Background jobs: their owner (or an admin) can see how their work is doing. Operators retry and cancel with
/// <c>storyengine jobs</c>.</summary>
public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", List)
            .WithName("ListJobs")
            .WithSummary("Your background jobs, newest first; filter by " + "adventure or state")
            .ProducesProblem(400);
        jobs.MapGet("/{id}", Get)
            .WithName("GetJob")
            .WithSummary("One background job: state, attempts, last error, " + "times")
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<JobResponse>> Get(
        string id,
        HttpContext context,
        JobQueue queue,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            JobResponse.From(
                await queue.GetAsync(id, context.User.UserId(), context.User.IsInRole(Roles.Admin), cancellationToken)
            )
        );

    private static async Task<Ok<PageResponse<JobResponse>>> List(
        HttpContext context,
        IJobStore store,
        string? adventureId,
        string? state,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    )
    {
        var query = ListQuery.From(limit, cursor, null, null);
        if (state is not null && !JobStates.All.Contains(state))
        {
            throw ValidationFailedException.For("state", $"state must be one of {string.Join(", ", JobStates.All)}.");
        }
        if (adventureId is { Length: > 100 })
        {
            throw ValidationFailedException.For("adventureId", "adventureId is not an id this server hands out.");
        }
        var items = await store.ListAsync(
            new JobListQuery(context.User.UserId(), adventureId, state, query.Limit + 1, query.AfterId),
            cancellationToken
        );
        var page = items.Take(query.Limit).Select(JobResponse.From).ToArray();
        var next = items.Count > query.Limit ? Cursor.Encode(page[^1].Id) : null;
        Paging.AddNextLink(context, next);
        return TypedResults.Ok(new PageResponse<JobResponse>(page, next));
    }
}
