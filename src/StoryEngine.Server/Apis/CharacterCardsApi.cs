using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Images;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>
/// Character cards in and out (V1/V2/V3 JSON, PNG, CHARX), and a character's own lorebook, which a card's
/// <c>character_book</c> becomes.
/// </summary>
public static class CharacterCardsApi
{
    public static RouteGroupBuilder MapCharacterCardsApi(this RouteGroupBuilder api)
    {
        var characters = api.MapGroup("/worlds/{worldId}/characters").WithTags("Characters");
        // No Accepts(...): routing would refuse a content type it does not list before the file is looked at; the
        // file's first bytes decide what it is, whatever the client called it.
        characters
            .MapPost("/import", Import)
            .WithName("ImportCharacterCard")
            .WithSummary(
                "Import a character card: PNG, CHARX or JSON (V1, V2, V3), as multipart 'file' or the raw "
                    + "file, up to 20 MB"
            )
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415);
        characters
            .MapGet("/{id}/export", Export)
            .WithName("ExportCharacterCard")
            .WithSummary("Download a character as a V3 card: format=json, png (chara and ccv3 chunks) or charx")
            .Produces(200, contentType: "application/json")
            .Produces(200, contentType: "image/png")
            .Produces(200, contentType: "application/zip")
            .ProducesProblem(400)
            .ProducesProblem(404);

        var book = characters.MapGroup("/{id}/lorebook").WithTags("Lorebooks");
        book.MapGet("/", GetBook)
            .WithName("GetCharacterLorebook")
            .WithSummary("A character's own lorebook (a " + "card's character_book)")
            .ProducesProblem(404);
        book.MapPut("/", PutBook)
            .WithName("PutCharacterLorebook")
            .WithSummary("Create or replace a character's own " + "lorebook (If-Match for lost-update protection)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412)
            .ProducesProblem(413)
            .ProducesProblem(415);
        book.MapDelete("/", DeleteBook)
            .WithName("DeleteCharacterLorebook")
            .WithSummary("Remove a character's own lorebook")
            .ProducesProblem(404)
            .ProducesProblem(412);
        LoreEntriesApi.Map(book.MapGroup("/entries"), "CharacterLorebook", new CharacterLorebookAccess());
        return api;
    }

    private static async Task<ETagged<Created<ImportedCharacterResponse>>> Import(
        HttpContext context,
        string worldId,
        CharacterCardTransfer transfer,
        PictureService pictures,
        CancellationToken cancellationToken
    )
    {
        var upload = await Uploads.ReadAsync(context.Request, cancellationToken);
        var imported = await transfer.ImportAsync(Scope(context, worldId), upload.Content, cancellationToken);
        var character = imported.Character;
        var hashes = await pictures.HashesAsync(
            character.OwnerId,
            Core.Images.PictureKind.CharacterAvatar,
            [character.Id],
            cancellationToken
        );
        return ETagged.Of(
            ETags.ForVersion(imported.Character.Version),
            TypedResults.Created(
                $"/api/v1/worlds/{worldId}/characters/{imported.Character.Id}",
                new ImportedCharacterResponse(
                    CharacterResponse.From(character) with
                    {
                        AvatarUrl = hashes.TryGetValue(character.Id, out var hash)
                            ? PictureUrls.Api(
                                PictureTarget.CharacterAvatar(character.OwnerId, worldId, character.Id),
                                hash
                            )
                            : null,
                    },
                    imported.Lorebook is null ? null : LorebookResponse.ForCharacter(imported.Lorebook),
                    imported.Spec,
                    imported.Warnings
                )
            )
        );
    }

    private static async Task<FileContentHttpResult> Export(
        HttpContext context,
        string worldId,
        string id,
        string? format,
        CharacterCardTransfer transfer,
        CancellationToken cancellationToken
    )
    {
        var file = await transfer.ExportAsync(
            Scope(context, worldId),
            id,
            CardFormats.Parse(format),
            cancellationToken
        );
        return TypedResults.File(file.Content, file.MediaType, file.FileName);
    }

    private static async Task<ETagged<Ok<LorebookResponse>>> GetBook(
        HttpContext context,
        string worldId,
        string id,
        CharacterLorebooks books,
        CancellationToken cancellationToken
    )
    {
        var book = await books.GetAsync(Scope(context, worldId), id, cancellationToken);
        return ETagged.IfNoneMatch(
            ETags.ForVersion(book.Version),
            TypedResults.Ok(LorebookResponse.ForCharacter(book))
        );
    }

    private static async Task<ETagged<Results<Ok<LorebookResponse>, Created<LorebookResponse>>>> PutBook(
        HttpContext context,
        string worldId,
        string id,
        LorebookRequest? request,
        CharacterLorebooks books,
        CancellationToken cancellationToken
    )
    {
        var body = (request ?? throw new BadHttpRequestException("This request needs a JSON body.")).ToBody();
        var (book, created) = await books.PutAsync(
            Scope(context, worldId),
            id,
            body,
            ETags.ExpectedVersion(context.Request),
            cancellationToken
        );
        var response = LorebookResponse.ForCharacter(book);
        Results<Ok<LorebookResponse>, Created<LorebookResponse>> result = created
            ? TypedResults.Created($"/api/v1/worlds/{worldId}/characters/{id}/lorebook", response)
            : TypedResults.Ok(response);
        return ETagged.Of(ETags.ForVersion(book.Version), result);
    }

    private static async Task<NoContent> DeleteBook(
        HttpContext context,
        string worldId,
        string id,
        CharacterLorebooks books,
        CancellationToken cancellationToken
    )
    {
        await books.DeleteAsync(Scope(context, worldId), id, ETags.ExpectedVersion(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static ResourceScope Scope(HttpContext context, string worldId) => new(context.User.UserId(), worldId);
}
