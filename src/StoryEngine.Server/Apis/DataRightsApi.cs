using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.DataRights;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>The user's rights over their data (issue 4): a copy of everything they own, and erasing the
/// account.</summary>
public static class DataRightsApi
{
    public static RouteGroupBuilder MapDataRightsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me/export", Export)
            .WithTags("Me")
            .WithName("ExportMyData")
            .WithSummary(
                "Everything you own (profile, worlds, lorebooks, adventures with their full story logs, "
                    + "sessions, usage, audit) as one JSON file"
            )
            .Produces(200, contentType: "application/json");
        api.MapDelete("/me", Delete)
            .WithTags("Me")
            .WithName("DeleteMe")
            .WithSummary(
                "Erase your account and everything it owns, for good; confirm with your password (and "
                    + "two-factor code when enabled)"
            )
            .ProducesProblem(400)
            .ProducesProblem(429);
        return api;
    }

    // Streamed: the archive is written to the response as the database is read, never held whole in memory.
    private static async Task<EmptyHttpResult> Export(
        HttpContext context,
        AccountDataRights rights,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var user = await rights.BeginExportAsync(context.User.UserId(), context.Origin(), cancellationToken);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.ContentDisposition =
            $"attachment; filename=\"storyengine-{user.Username}-{clock.GetUtcNow():yyyyMMdd}.json\"";
        context.Response.Headers.CacheControl = "no-store";
        await rights.WriteExportAsync(user, context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<NoContent> Delete(
        [FromBody] DeleteAccountRequest? request,
        HttpContext context,
        AccountDataRights rights,
        CancellationToken cancellationToken
    )
    {
        await rights.DeleteAsync(
            context.User.UserId(),
            new DeletionRequest(request?.Password, request?.TwoFactorCode),
            context.Origin(),
            cancellationToken
        );
        return TypedResults.NoContent();
    }
}
