using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using StoryEngine.Formats.Images;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>
/// Avatars of characters and personas and covers of worlds (issues 17, 18): read with a strong ETag, replaced by an
/// upload (the raw image with its Content-Type, or multipart <c>file</c>), removed. Who may do what follows the thing
/// the picture belongs to; API keys need <c>read</c> to read and <c>write</c> to change (the scope middleware decides
/// by method and path, as for the rest of a world).
/// </summary>
public static class PicturesApi
{
    public static RouteGroupBuilder MapPicturesApi(this RouteGroupBuilder api)
    {
        Map(
            api.MapGroup("/worlds/{worldId}/characters/{id}/avatar").WithTags("Characters"),
            "CharacterAvatar",
            "a character's avatar",
            (c, route) => PictureTarget.CharacterAvatar(c.User.UserId(), route("worldId"), route("id"))
        );
        Map(
            api.MapGroup("/personas/{id}/avatar").WithTags("Personas"),
            "PersonaAvatar",
            "a persona's avatar",
            (c, route) => PictureTarget.PersonaAvatar(c.User.UserId(), route("id"))
        );
        Map(api.MapGroup("/worlds/{id}/cover").WithTags("Worlds"), "WorldCover", "a world's cover", (c, route) =>
            PictureTarget.WorldCover(c.User.UserId(), route("id"))
        );
        return api;
    }

    /// <summary>The web pages' own read of the same pictures, with their sign-in cookie (not in the API
    /// document).</summary>
    public static IEndpointRouteBuilder MapWebPictures(this IEndpointRouteBuilder app)
    {
        var web = app.MapGroup(PictureUrls.WebPrefix)
            .RequireAuthorization(Web.WebAuthentication.Policy)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.ApiPolicy);
        web.MapGet(
                "/worlds/{worldId}/characters/{id}/avatar",
                (HttpContext c, string worldId, string id, PictureService p, CancellationToken ct) =>
                    ReadAsync(c, PictureTarget.CharacterAvatar(c.User.UserId(), worldId, id), p, ct)
            )
            .ExcludeFromDescription();
        web.MapGet("/personas/{id}/avatar", (HttpContext c, string id, PictureService p, CancellationToken ct) =>
                ReadAsync(c, PictureTarget.PersonaAvatar(c.User.UserId(), id), p, ct)
            )
            .ExcludeFromDescription();
        web.MapGet("/worlds/{id}/cover", (HttpContext c, string id, PictureService p, CancellationToken ct) =>
                ReadAsync(c, PictureTarget.WorldCover(c.User.UserId(), id), p, ct)
            )
            .ExcludeFromDescription();
        return app;
    }

    private static void Map(
        RouteGroupBuilder group,
        string name,
        string what,
        Func<HttpContext, Func<string, string>, PictureTarget> target
    )
    {
        PictureTarget For(HttpContext context) => target(context, key => (string)context.Request.RouteValues[key]!);

        group
            .MapGet("/", (HttpContext context, PictureService pictures, CancellationToken cancellationToken) =>
                ReadAsync(context, For(context), pictures, cancellationToken)
            )
            .WithName($"Get{name}")
            .WithSummary(
                $"Read {what}: the image with its Content-Type and a strong ETag (If-None-Match gives 304); "
                    + "404 when there is none"
            )
            .Produces(200, contentType: PictureFile.MediaType)
            .Produces(304)
            .ProducesProblem(404);
        // No Accepts(...): the bytes decide what the file is, whatever the client called it.
        group
            .MapPut("/", (HttpContext context, PictureService pictures, CancellationToken cancellationToken) =>
                PutAsync(context, For(context), pictures, cancellationToken)
            )
            .WithName($"Put{name}")
            .WithSummary(
                $"Replace {what}: a PNG, JPEG, WebP or GIF as the body (with its Content-Type) or as multipart "
                    + "'file', up to Images:MaxUploadBytes; stored shrunk and re-encoded as WebP"
            )
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415);
        group
            .MapDelete("/", async (HttpContext context, PictureService pictures, CancellationToken cancellationToken) =>
            {
                await pictures.DeleteAsync(For(context), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName($"Delete{name}")
            .WithSummary($"Remove {what}")
            .ProducesProblem(404);
    }

    private static async Task<FileContentHttpResult> ReadAsync(
        HttpContext context,
        PictureTarget target,
        PictureService pictures,
        CancellationToken cancellationToken
    )
    {
        var image = await pictures.GetAsync(target, cancellationToken);
        // A URL naming this version (?v=) never changes; any other may, so it is checked again after a minute.
        context.Response.Headers.CacheControl = PictureUrls.IsCurrent(context.Request, image.Hash)
            ? "private, max-age=31536000, immutable"
            : "private, max-age=60, must-revalidate";
        return TypedResults.File(
            image.Data,
            image.MediaType,
            lastModified: image.UpdatedAt,
            entityTag: new EntityTagHeaderValue(ETagOf(image.Hash))
        );
    }

    private static async Task<ETagged<Ok<PictureResponse>>> PutAsync(
        HttpContext context,
        PictureTarget target,
        PictureService pictures,
        CancellationToken cancellationToken
    )
    {
        var limit = pictures.Options.MaxUploadBytes;
        var upload = await Uploads.ReadAsync(
            context.Request,
            limit,
            () => PictureService.TooLarge(limit),
            cancellationToken
        );
        var image = await pictures.PutAsync(target, upload.Content, cancellationToken);
        var etag = ETagOf(image.Hash);
        return ETagged.Of(
            etag,
            TypedResults.Ok(
                new PictureResponse(
                    PictureUrls.Api(target, image.Hash),
                    image.MediaType,
                    image.Width,
                    image.Height,
                    image.Data.Length,
                    etag
                )
            )
        );
    }

    private static string ETagOf(string hash) => $"\"{hash}\"";
}
