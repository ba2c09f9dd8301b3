using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Images;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Images;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace StoryEngine.Server.Apis;

/// <summary>Names used for one kind's routes: "world"/"worlds" gives GetWorld, ListWorlds, ... and the OpenAPI tag
/// "Worlds".</summary>
public sealed record ResourceNames(string Singular, string Plural)
{
    internal string One => Pascal(Singular);

    internal string Many => Pascal(Plural);

    private static string Pascal(string name) =>
        string.Concat(name.Split(' ').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}

/// <summary>
/// The name, summary and problems of each route every kind of world data shares (the handlers are in
/// <see cref="ResourceApi{TBody, TRequest, TResponse}"/>). Each kind's file maps the closed handlers itself, e.g.
/// <c>group.MapGet("/", Api.List).AsList(names)</c>: a handler of a generic class mapped from inside that class is
/// out of the request delegate generator's reach and would be compiled with expressions at every start
/// (docs/benchmarks.md), while a closed one mapped from a non-generic class is generated at build time.
/// </summary>
public static class ResourceRoutes
{
    public static RouteHandlerBuilder AsList(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"List{names.Many}")
            .WithSummary(
                $"List {names.Plural} as summaries, paged, with text search (q), tag filter (tag) "
                    + "and more fields (fields)"
            )
            .ProducesProblem(400);

    public static RouteHandlerBuilder AsListTrash(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"List{names.Many}InTrash")
            .WithSummary($"List deleted {names.Plural} " + "that can still be restored")
            .ProducesProblem(400);

    public static RouteHandlerBuilder AsGet(this RouteHandlerBuilder route, ResourceNames names) =>
        route.WithName($"Get{names.One}").WithSummary($"Get one {names.Singular}").ProducesProblem(404);

    public static RouteHandlerBuilder AsCreate(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"Create{names.One}")
            .WithSummary($"Create a {names.Singular}")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415);

    public static RouteHandlerBuilder AsReplace(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"Replace{names.One}")
            .WithSummary($"Replace a {names.Singular} (If-Match " + "for lost-update protection)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412)
            .ProducesProblem(413)
            .ProducesProblem(415);

    public static RouteHandlerBuilder AsPatch(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"Patch{names.One}")
            .WithSummary("Change some fields of a " + $"{names.Singular} (JSON merge patch, RFC 7396)")
            .Accepts<JsonObject>(JsonMergePatch.MediaType, "application/json")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412)
            .ProducesProblem(413)
            .ProducesProblem(415);

    public static RouteHandlerBuilder AsDelete(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"Delete{names.One}")
            .WithSummary($"Move a {names.Singular} to the " + "trash (restorable for 30 days)")
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(412);

    public static RouteHandlerBuilder AsRestore(this RouteHandlerBuilder route, ResourceNames names) =>
        route
            .WithName($"Restore{names.One}")
            .WithSummary($"Bring a {names.Singular} " + "back from the trash")
            .ProducesProblem(404)
            .ProducesProblem(409);
}

/// <summary>
/// The routes every kind of world data shares: list (paged, searchable, tag-filtered), get, create, PUT,
/// PATCH (JSON merge patch), delete to the trash, list the trash, restore. Conditional requests use ETags.
/// The scope comes from the signed-in user and, for a world's contents, the <c>worldId</c> route value.
/// Each kind's file maps these handlers, closed over its types, with <see cref="ResourceRoutes"/>.
/// </summary>
public static class ResourceApi<TBody, TRequest, TResponse>
    where TBody : class, IResourceBody<TBody>
    where TRequest : IResourceRequest<TRequest, TBody>
    where TResponse : IResourceResponse<TResponse, TBody>
{
    // tag, fields: "= null" because the request delegate generator documents a query array without a default as
    // required (it is not: a list without ?tag= is unfiltered).
    internal static async Task<
        Results<ETagged<Ok<PageResponse<ResourceSummaryResponse>>>, ETagged<Ok<PageResponse<JsonObject>>>>
    > List(
        HttpContext context,
        ResourceService<TBody> service,
        IOptions<JsonOptions> json,
        int? limit,
        string? cursor,
        string? q,
        [FromQuery] string[]? tag = null,
        string? fields = null,
        CancellationToken cancellationToken = default
    ) =>
        await ListPage(context, service, json, ListQuery.From(limit, cursor, q, tag), fields, false, cancellationToken);

    internal static async Task<
        Results<ETagged<Ok<PageResponse<ResourceSummaryResponse>>>, ETagged<Ok<PageResponse<JsonObject>>>>
    > ListTrash(
        HttpContext context,
        ResourceService<TBody> service,
        IOptions<JsonOptions> json,
        int? limit,
        string? cursor,
        string? q,
        [FromQuery] string[]? tag = null,
        string? fields = null,
        CancellationToken cancellationToken = default
    ) => await ListPage(context, service, json, ListQuery.From(limit, cursor, q, tag), fields, true, cancellationToken);

    // Summaries by default: the store reads no bodies. With ?fields= the full rows are read and projected.
    private static async Task<
        Results<ETagged<Ok<PageResponse<ResourceSummaryResponse>>>, ETagged<Ok<PageResponse<JsonObject>>>>
    > ListPage(
        HttpContext context,
        ResourceService<TBody> service,
        IOptions<JsonOptions> json,
        ListQuery query,
        string? fields,
        bool deleted,
        CancellationToken cancellationToken
    )
    {
        var options = json.Value.SerializerOptions;
        var projection = ListFields.Parse<TResponse>(fields, options);
        if (projection is null)
        {
            var summaries = await service.ListSummariesAsync(Scope(context), query, deleted, cancellationToken);
            Paging.AddNextLink(context, summaries.NextCursor);
            return ETagged.IfNoneMatch(
                ETags.ForList(summaries.Items.Select(i => (i.Id, i.Version)), summaries.NextCursor),
                TypedResults.Ok(
                    new PageResponse<ResourceSummaryResponse>(
                        Summaries(summaries.Items, SummaryPictureUrls(context, summaries.Items)),
                        summaries.NextCursor
                    )
                )
            );
        }
        var page = deleted
            ? await service.ListTrashAsync(Scope(context), query, cancellationToken)
            : await service.ListAsync(Scope(context), query, cancellationToken);
        Paging.AddNextLink(context, page.NextCursor);
        // One picture lookup serves both the summaries and the full representations the fields come from.
        var pictures = await PictureUrlsAsync(
            context,
            [.. page.Items.Select(i => (i.Id, i.ParentId))],
            cancellationToken
        );
        var items = Summaries([.. page.Items.Select(ResourceSummary.Of)], pictures)
            .Zip(Responses(page.Items, pictures))
            .Select(pair => projection.Project(pair.First, pair.Second!, options))
            .ToArray();
        return ETagged.IfNoneMatch(
            ETags.ForList(page.Items.Select(i => (i.Id, i.Version)), page.NextCursor),
            TypedResults.Ok(new PageResponse<JsonObject>(items, page.NextCursor))
        );
    }

    internal static async Task<ETagged<Ok<TResponse>>> Get(
        string id,
        HttpContext context,
        ResourceService<TBody> service,
        CancellationToken cancellationToken
    )
    {
        var resource = await service.GetAsync(Scope(context), id, cancellationToken);
        return ETagged.IfNoneMatch(
            ETags.ForVersion(resource.Version),
            TypedResults.Ok((await ResponsesAsync(context, [resource], cancellationToken))[0])
        );
    }

    internal static async Task<ETagged<Created<TResponse>>> Create(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] TRequest request,
        HttpContext context,
        ResourceService<TBody> service,
        CancellationToken cancellationToken
    )
    {
        var created = await service.CreateAsync(Scope(context), RequireBody(request).ToBody(), cancellationToken);
        var location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{created.Id}";
        return ETagged.Of(ETags.ForVersion(created.Version), TypedResults.Created(location, TResponse.From(created)));
    }

    internal static async Task<ETagged<Ok<TResponse>>> Replace(
        string id,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] TRequest request,
        HttpContext context,
        ResourceService<TBody> service,
        CancellationToken cancellationToken
    )
    {
        var updated = await service.ReplaceAsync(
            Scope(context),
            id,
            RequireBody(request).ToBody(),
            ETags.ExpectedVersion(context.Request),
            cancellationToken
        );
        return await UpdatedAsync(context, updated, cancellationToken);
    }

    internal static async Task<ETagged<Ok<TResponse>>> Patch(
        string id,
        JsonNode? patch,
        HttpContext context,
        ResourceService<TBody> service,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken
    )
    {
        if (patch is not JsonObject)
        {
            throw ValidationFailedException.For(
                "body",
                "A merge patch must be a JSON object naming the fields to " + "change."
            );
        }
        var scope = Scope(context);
        var current = await service.GetAsync(scope, id, cancellationToken);
        var options = json.Value.SerializerOptions;
        var merged = JsonMergePatch.Apply(
            JsonSerializer.SerializeToNode(TRequest.FromBody(current.Body), options),
            patch
        );
        var request = merged.Deserialize<TRequest>(options)!;
        // The version we patched is the one we must overwrite; If-Match can only narrow that further.
        var expected = ETags.ExpectedVersion(context.Request) ?? current.Version;
        var updated = await service.ReplaceAsync(scope, id, request.ToBody(), expected, cancellationToken);
        return await UpdatedAsync(context, updated, cancellationToken);
    }

    internal static async Task<NoContent> Delete(
        string id,
        HttpContext context,
        ResourceService<TBody> service,
        CancellationToken cancellationToken
    )
    {
        await service.DeleteAsync(Scope(context), id, ETags.ExpectedVersion(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<ETagged<Ok<TResponse>>> Restore(
        string id,
        HttpContext context,
        ResourceService<TBody> service,
        CancellationToken cancellationToken
    )
    {
        var restored = await service.RestoreAsync(Scope(context), id, cancellationToken);
        return await UpdatedAsync(context, restored, cancellationToken);
    }

    private static async Task<ETagged<Ok<TResponse>>> UpdatedAsync(
        HttpContext context,
        StoredResource<TBody> resource,
        CancellationToken cancellationToken
    ) =>
        ETagged.Of(
            ETags.ForVersion(resource.Version),
            TypedResults.Ok((await ResponsesAsync(context, [resource], cancellationToken))[0])
        );

    /// <summary>
    /// The picture URL of each item, in order (null where it has none), or null for kinds without pictures: one query
    /// for a whole page. A picture change gives its owner a new version, so the ETags cover the URLs.
    /// </summary>
    private static async Task<string?[]?> PictureUrlsAsync(
        HttpContext context,
        IReadOnlyList<(string Id, string? ParentId)> items,
        CancellationToken cancellationToken
    )
    {
        if (PictureUrls.KindOf(TBody.Kind) is not { } kind)
        {
            return null;
        }
        if (items.Count == 0)
        {
            return [];
        }
        var owner = context.User.UserId();
        var hashes = await context
            .RequestServices.GetRequiredService<PictureService>()
            .HashesAsync(owner, kind, items.Select(i => i.Id).ToArray(), cancellationToken);
        return
        [
            .. items.Select(i =>
                hashes.TryGetValue(i.Id, out var hash)
                    ? PictureUrls.Api(PictureUrls.Target(kind, owner, i.ParentId, i.Id), hash)
                    : null
            ),
        ];
    }

    /// <summary>The picture URL of each summary, in order, from the hash the store read with it (no query), or null
    /// for kinds without pictures.</summary>
    private static string?[]? SummaryPictureUrls(HttpContext context, IReadOnlyList<ResourceSummary> items)
    {
        if (PictureUrls.KindOf(TBody.Kind) is not { } kind)
        {
            return null;
        }
        var owner = context.User.UserId();
        return
        [
            .. items.Select(i =>
                i.PictureHash is { } hash
                    ? PictureUrls.Api(PictureUrls.Target(kind, owner, i.ParentId, i.Id), hash)
                    : null
            ),
        ];
    }

    /// <summary>The summaries of a page, with the picture's URL (or null) for kinds that have pictures, under the
    /// name their full representation uses.</summary>
    private static ResourceSummaryResponse[] Summaries(IReadOnlyList<ResourceSummary> items, string?[]? pictures)
    {
        var summaries = items.Select(ResourceSummaryResponse.From).ToArray();
        if (pictures is null)
        {
            return summaries;
        }
        var field = PictureUrls.KindOf(TBody.Kind) == PictureKind.WorldCover ? "coverUrl" : "avatarUrl";
        for (var i = 0; i < summaries.Length; i++)
        {
            summaries[i] = summaries[i] with { Picture = new() { [field] = pictures[i] } };
        }
        return summaries;
    }

    /// <summary>The responses for <paramref name="items"/>, with their picture's URL for kinds that have
    /// pictures.</summary>
    private static TResponse[] Responses(IReadOnlyList<StoredResource<TBody>> items, string?[]? pictures)
    {
        var responses = items.Select(TResponse.From).ToArray();
        for (var i = 0; pictures is not null && i < responses.Length; i++)
        {
            if (responses[i] is IPictured<TResponse> pictured)
            {
                responses[i] = pictured.WithPictureUrl(pictures[i]);
            }
        }
        return responses;
    }

    private static async Task<TResponse[]> ResponsesAsync(
        HttpContext context,
        IReadOnlyList<StoredResource<TBody>> items,
        CancellationToken cancellationToken
    ) =>
        Responses(
            items,
            await PictureUrlsAsync(context, [.. items.Select(i => (i.Id, i.ParentId))], cancellationToken)
        );

    // The body is optional to the framework (EmptyBodyBehavior.Allow), as it was when these handlers were compiled at
    // start, so the OpenAPI document is unchanged; an empty body arrives here as null and gets this 400.
    private static TRequest RequireBody(TRequest? request) =>
        request
        ?? throw new BadHttpRequestException("This request needs a JSON body.", StatusCodes.Status400BadRequest);

    private static ResourceScope Scope(HttpContext context) =>
        new(
            context.User.UserId(),
            context.Request.RouteValues.TryGetValue("worldId", out var worldId) ? worldId as string : null
        );
}
