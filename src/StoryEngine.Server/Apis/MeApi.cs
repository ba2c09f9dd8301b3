using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>The signed-in user's own account: their sessions and their password. Always about the caller; no ids of
/// other users.</summary>
public static class MeApi
{
    public static RouteGroupBuilder MapMeApi(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Me");
        me.MapGet("/sessions", ListSessions)
            .WithName("ListMySessions")
            .WithSummary("Your signed-in devices, newest first; `current` marks the one this token belongs " + "to")
            .ProducesProblem(400);
        me.MapDelete("/sessions/{id}", RevokeSession)
            .WithName("RevokeMySession")
            .WithSummary("Sign out one of your sessions: its tokens stop working")
            .ProducesProblem(404);
        me.MapPost("/password", ChangePassword)
            .WithName("ChangeMyPassword")
            .WithSummary("Change your password; every other session is signed " + "out")
            .ProducesProblem(400)
            .ProducesProblem(429);
        return api;
    }

    private static async Task<Ok<PageResponse<SessionResponse>>> ListSessions(
        HttpContext context,
        SessionService sessions,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    )
    {
        var page = await sessions.ListAsync(context.User.UserId(), limit, cursor, cancellationToken);
        Paging.AddNextLink(context, page.NextCursor);
        var current = context.User.SessionId();
        return TypedResults.Ok(
            new PageResponse<SessionResponse>(
                page.Items.Select(s => SessionResponse.From(s, current)).ToArray(),
                page.NextCursor
            )
        );
    }

    private static async Task<NoContent> RevokeSession(
        string id,
        HttpContext context,
        SessionService sessions,
        CancellationToken cancellationToken
    )
    {
        await sessions.RevokeAsync(context.User.UserId(), id, context.Origin(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ChangePassword(
        ChangePasswordRequest request,
        HttpContext context,
        PasswordService passwords,
        CancellationToken cancellationToken
    )
    {
        await passwords.ChangeAsync(
            context.User.UserId(),
            context.User.SessionId(),
            request.CurrentPassword,
            request.NewPassword,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.NoContent();
    }
}
