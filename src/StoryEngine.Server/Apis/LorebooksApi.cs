using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Lore;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Lore.Lorebook,
    StoryEngine.Server.Contracts.LorebookRequest,
    StoryEngine.Server.Contracts.LorebookResponse
>;

namespace StoryEngine.Server.Apis;

/// <summary>
/// A world's lorebooks: the shared CRUD with trash (entries are part of the book: PUT or PATCH it, or use the entry
/// routes), plus import from other tools' files and export to them.
/// </summary>
public static class LorebooksApi
{
    public static RouteGroupBuilder MapLorebooksApi(this RouteGroupBuilder api)
    {
        var lorebooks = api.MapGroup("/worlds/{worldId}/lorebooks").WithTags("Lorebooks");
        // No Accepts(...): routing would refuse a content type it does not list before the file is looked at; the
        // file's first bytes decide what it is, whatever the client called it.
        lorebooks
            .MapPost("/import", Import)
            .WithName("ImportLorebook")
            .WithSummary(
                "Import SillyTavern World Info, a V3 lorebook, a NovelAI .lorebook or a card's book "
                    + "(multipart 'file' or the raw file, up to 20 MB)"
            )
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415);
        lorebooks
            .MapGet("/{id}/export", Export)
            .WithName("ExportLorebook")
            .WithSummary(
                "Download a lorebook as SillyTavern World Info (format=st), a V3 lorebook (card) or a "
                    + "NovelAI .lorebook (novelai)"
            )
            .Produces(200, contentType: "application/json")
            .ProducesProblem(400)
            .ProducesProblem(404);
        ResourceNames names = new("lorebook", "lorebooks");
        lorebooks.MapGet("/", Api.List).AsList(names);
        lorebooks.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        lorebooks.MapGet("/{id}", Api.Get).AsGet(names);
        lorebooks.MapPost("/", Api.Create).AsCreate(names);
        lorebooks.MapPut("/{id}", Api.Replace).AsReplace(names);
        lorebooks.MapPatch("/{id}", Api.Patch).AsPatch(names);
        lorebooks.MapDelete("/{id}", Api.Delete).AsDelete(names);
        lorebooks.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        LoreEntriesApi.Map(
            lorebooks.MapGroup("/{id}/entries").WithTags("Lorebooks"),
            "Lorebook",
            new WorldLorebookAccess()
        );
        return api;
    }

    private static async Task<ETagged<Created<LorebookResponse>>> Import(
        HttpContext context,
        string worldId,
        LorebookTransfer transfer,
        CancellationToken cancellationToken
    )
    {
        var upload = await Uploads.ReadAsync(context.Request, cancellationToken);
        var created = await transfer.ImportAsync(
            new ResourceScope(context.User.UserId(), worldId),
            upload.Content,
            upload.FileName,
            cancellationToken
        );
        return ETagged.Of(
            ETags.ForVersion(created.Version),
            TypedResults.Created($"/api/v1/worlds/{worldId}/lorebooks/{created.Id}", LorebookResponse.From(created))
        );
    }

    private static async Task<FileContentHttpResult> Export(
        HttpContext context,
        string worldId,
        string id,
        string? format,
        LorebookTransfer transfer,
        CancellationToken cancellationToken
    )
    {
        var file = await transfer.ExportAsync(
            new ResourceScope(context.User.UserId(), worldId),
            id,
            LorebookFile.ParseFormat(format),
            cancellationToken
        );
        return TypedResults.File(file.Content, file.MediaType, file.FileName);
    }
}
