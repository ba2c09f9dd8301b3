using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>How the narrations of each backend and model score (issue 22): the admin's summary of the
/// evaluations.</summary>
public static class EvaluationsApi
{
    public const int MaxDays = 90;

    public static RouteGroupBuilder MapEvaluationsApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/admin")
            .WithTags("Admin")
            .RequireAuthorization(AuthorizationPolicies.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .MapGet("/evaluations", Summary)
            .WithName("GetEvaluationSummary")
            .WithSummary("Evaluation scores per backend and model over the last ?days=N (default 7, at most 90)")
            .ProducesProblem(400);
        return api;
    }

    private static async Task<Ok<EvaluationSummaryResponse>> Summary(
        int? days,
        EvaluationSummary summary,
        CancellationToken cancellationToken
    )
    {
        var window = days ?? 7;
        if (window is < 1 or > MaxDays)
        {
            throw ValidationFailedException.For("days", $"days must be from 1 to {MaxDays}.");
        }
        return TypedResults.Ok(
            new EvaluationSummaryResponse(window, await summary.SummarizeAsync(window, cancellationToken))
        );
    }
}
