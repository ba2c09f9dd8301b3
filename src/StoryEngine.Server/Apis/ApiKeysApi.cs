using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>The caller's API keys (issue 4 §3). A key works as <c>Authorization: Bearer se_...</c>, within its
/// scopes.</summary>
public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/me/api-keys").WithTags("Me");
        keys.MapPost("/", Create)
            .WithName("CreateMyApiKey")
            .WithSummary(
                "Make an API key with a name, scopes (read, write, play, admin) and an optional expiry; "
                    + "the key is shown only in this answer"
            )
            .ProducesProblem(400)
            .ProducesProblem(403)
            .ProducesProblem(409);
        keys.MapGet("/", List)
            .WithName("ListMyApiKeys")
            .WithSummary(
                "Your API keys that are not revoked, newest first: prefix, scopes, created, expires, last "
                    + "used (never the key)"
            );
        keys.MapDelete("/{id}", Revoke)
            .WithName("RevokeMyApiKey")
            .WithSummary("Revoke one of your API keys: it stops working at once")
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Created<CreatedApiKeyResponse>> Create(
        CreateApiKeyRequest request,
        HttpContext context,
        ApiKeyService keys,
        CancellationToken cancellationToken
    )
    {
        var created = await keys.CreateAsync(
            context.User.UserId(),
            request.Name,
            request.Scopes,
            request.ExpiresAt,
            context.Origin(),
            cancellationToken
        );
        var key = created.Key;
        return TypedResults.Created(
            $"/api/v1/me/api-keys/{key.Id}",
            new CreatedApiKeyResponse(
                key.Id,
                key.Name,
                key.Prefix,
                key.Scopes,
                key.CreatedAt,
                key.ExpiresAt,
                created.Secret
            )
        );
    }

    private static async Task<Ok<ApiKeyResponse[]>> List(
        HttpContext context,
        ApiKeyService keys,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        return TypedResults.Ok(
            (await keys.ListAsync(context.User.UserId(), cancellationToken))
                .Select(k => ApiKeyResponse.From(k, now))
                .ToArray()
        );
    }

    private static async Task<NoContent> Revoke(
        string id,
        HttpContext context,
        ApiKeyService keys,
        CancellationToken cancellationToken
    )
    {
        await keys.RevokeAsync(context.User.UserId(), id, context.Origin(), cancellationToken);
        return TypedResults.NoContent();
    }
}
