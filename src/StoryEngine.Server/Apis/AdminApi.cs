using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>Account administration and the audit log. The whole group requires the admin policy; handlers hold no role
/// checks.</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin")
            .WithTags("Admin")
            .RequireAuthorization(AuthorizationPolicies.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin
            .MapGet("/users", ListUsers)
            .WithName("AdminListUsers")
            .WithSummary("Every account in creation order, paged; q matches part of the username")
            .ProducesProblem(400);
        admin
            .MapPost("/users/{id}/disable", Disable)
            .WithName("AdminDisableUser")
            .WithSummary("Disable an account: it cannot sign in and its sessions " + "end")
            .ProducesProblem(404)
            .ProducesProblem(409);
        admin
            .MapPost("/users/{id}/enable", Enable)
            .WithName("AdminEnableUser")
            .WithSummary("Let a disabled account sign in again")
            .ProducesProblem(404);
        admin
            .MapPut("/users/{id}/role", SetRole)
            .WithName("AdminSetUserRole")
            .WithSummary("Make an account an admin or a user (applies to its live sessions within seconds)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        admin
            .MapGet("/audit", ListAudit)
            .WithName("AdminListAudit")
            .WithSummary("The audit log, newest first, paged; filter by userId (subject or actor) and " + "action")
            .ProducesProblem(400);
        return api;
    }

    private static async Task<Ok<PageResponse<AdminUserResponse>>> ListUsers(
        HttpContext context,
        UserAdministration users,
        int? limit,
        string? cursor,
        string? q,
        CancellationToken cancellationToken
    )
    {
        var page = await users.ListAsync(ListQuery.From(limit, cursor, q, null), cancellationToken);
        Paging.AddNextLink(context, page.NextCursor);
        return TypedResults.Ok(
            new PageResponse<AdminUserResponse>(page.Items.Select(AdminUserResponse.From).ToArray(), page.NextCursor)
        );
    }

    private static async Task<Ok<AdminUserResponse>> Disable(
        string id,
        HttpContext context,
        UserAdministration users,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            AdminUserResponse.From(
                await users.DisableAsync(context.User.UserId(), id, context.Origin(), cancellationToken)
            )
        );

    private static async Task<Ok<AdminUserResponse>> Enable(
        string id,
        HttpContext context,
        UserAdministration users,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            AdminUserResponse.From(
                await users.EnableAsync(context.User.UserId(), id, context.Origin(), cancellationToken)
            )
        );

    private static async Task<Ok<AdminUserResponse>> SetRole(
        string id,
        SetRoleRequest request,
        HttpContext context,
        UserAdministration users,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            AdminUserResponse.From(
                await users.SetRoleAsync(context.User.UserId(), id, request.Role, context.Origin(), cancellationToken)
            )
        );

    private static async Task<Ok<PageResponse<AuditEntryResponse>>> ListAudit(
        HttpContext context,
        IAuditLog audit,
        int? limit,
        string? cursor,
        string? userId,
        string? action,
        CancellationToken cancellationToken
    )
    {
        var page = await audit.ListAsync(AuditQuery.From(limit, cursor, userId, action), cancellationToken);
        Paging.AddNextLink(context, page.NextCursor);
        return TypedResults.Ok(
            new PageResponse<AuditEntryResponse>(page.Items.Select(AuditEntryResponse.From).ToArray(), page.NextCursor)
        );
    }
}
