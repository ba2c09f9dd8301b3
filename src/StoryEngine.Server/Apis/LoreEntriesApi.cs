using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace StoryEngine.Server.Apis;

/// <summary>Reads and replaces the book an entry route works on (a world's, or a character's own), from the route
/// values.</summary>
public interface ILorebookAccess
{
    Task<StoredResource<Lorebook>> GetAsync(HttpContext context, CancellationToken cancellationToken);

    Task<StoredResource<Lorebook>> ReplaceAsync(
        HttpContext context,
        Lorebook body,
        long expectedVersion,
        CancellationToken cancellationToken
    );
}

/// <summary>
/// One entry at a time: <c>…/entries</c> (list, add) and <c>…/entries/{entryId}</c> (get, PUT, PATCH, DELETE). Each
/// change rewrites the book with a version check, so the book's ETag guards its entries too; If-Match narrows it.
/// </summary>
public static class LoreEntriesApi
{
    public static void Map(RouteGroupBuilder entries, string prefix, ILorebookAccess access)
    {
        entries
            .MapGet("/", (HttpContext c, CancellationToken ct) => List(c, access, ct))
            .WithName($"List{prefix}Entries")
            .WithSummary("The book's entries, in order")
            .ProducesProblem(404);
        entries
            .MapPost("/", (HttpContext c, LoreEntryRequest? entry, CancellationToken ct) => Add(c, entry, access, ct))
            .WithName($"Add{prefix}Entry")
            .WithSummary("Add an entry (its id is the next free one unless you name a " + "free one)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(412);
        entries
            .MapGet("/{entryId}", (HttpContext c, int entryId, CancellationToken ct) => Get(c, entryId, access, ct))
            .WithName($"Get{prefix}Entry")
            .WithSummary("One entry")
            .ProducesProblem(404);
        entries
            .MapPut("/{entryId}", (HttpContext c, int entryId, LoreEntryRequest? entry, CancellationToken ct) =>
                Replace(c, entryId, entry, access, ct)
            )
            .WithName($"Replace{prefix}Entry")
            .WithSummary("Replace an entry")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412);
        entries
            .MapPatch(
                "/{entryId}",
                (HttpContext c, int entryId, JsonNode? patch, IOptions<JsonOptions> json, CancellationToken ct) =>
                    Patch(c, entryId, patch, json, access, ct)
            )
            .WithName($"Patch{prefix}Entry")
            .WithSummary("Change some fields of an entry (JSON merge patch)")
            .Accepts<JsonObject>(JsonMergePatch.MediaType, "application/json")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412);
        entries
            .MapDelete("/{entryId}", (HttpContext c, int entryId, CancellationToken ct) =>
                Delete(c, entryId, access, ct)
            )
            .WithName($"Delete{prefix}Entry")
            .WithSummary("Remove an entry from the book")
            .ProducesProblem(404)
            .ProducesProblem(412);
    }

    private static async Task<ETagged<Ok<LoreEntryResponse[]>>> List(
        HttpContext context,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var book = await access.GetAsync(context, cancellationToken);
        return ETagged.Of(
            ETags.ForVersion(book.Version),
            TypedResults.Ok(book.Body.Entries.Select(LoreEntryResponse.From).ToArray())
        );
    }

    private static async Task<ETagged<Ok<LoreEntryResponse>>> Get(
        HttpContext context,
        int entryId,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var book = await access.GetAsync(context, cancellationToken);
        return ETagged.Of(
            ETags.ForVersion(book.Version),
            TypedResults.Ok(LoreEntryResponse.From(Find(book.Body, entryId)))
        );
    }

    private static async Task<ETagged<Created<LoreEntryResponse>>> Add(
        HttpContext context,
        LoreEntryRequest? request,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var body = request ?? throw new BadHttpRequestException("This request needs a JSON body.");
        var book = await Current(context, access, cancellationToken);
        if (body.Id is { } wanted && book.Body.Entries.Any(e => e.Id == wanted))
        {
            throw new ConflictException(
                $"The book already has an entry with id {wanted}; leave id out to get the " + "next free one."
            );
        }
        var entry = body.ToEntry(body.Id ?? book.Body.NextEntryId);
        var saved = await Save(
            context,
            access,
            book,
            book.Body with
            {
                Entries = [.. book.Body.Entries, entry],
            },
            cancellationToken
        );
        var location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{entry.Id}";
        return ETagged.Of(
            ETags.ForVersion(saved.Version),
            TypedResults.Created(location, LoreEntryResponse.From(Find(saved.Body, entry.Id)))
        );
    }

    private static async Task<ETagged<Ok<LoreEntryResponse>>> Replace(
        HttpContext context,
        int entryId,
        LoreEntryRequest? request,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var body = request ?? throw new BadHttpRequestException("This request needs a JSON body.");
        var book = await Current(context, access, cancellationToken);
        Find(book.Body, entryId);
        return await SaveEntry(context, access, book, body.ToEntry(entryId), cancellationToken);
    }

    private static async Task<ETagged<Ok<LoreEntryResponse>>> Patch(
        HttpContext context,
        int entryId,
        JsonNode? patch,
        IOptions<JsonOptions> json,
        ILorebookAccess access,
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
        var book = await Current(context, access, cancellationToken);
        var options = json.Value.SerializerOptions;
        var merged = JsonMergePatch.Apply(
            JsonSerializer.SerializeToNode(LoreEntryRequest.From(Find(book.Body, entryId)), options),
            patch
        );
        var request = merged.Deserialize<LoreEntryRequest>(options)!;
        return await SaveEntry(context, access, book, request.ToEntry(entryId), cancellationToken);
    }

    private static async Task<ETagged<NoContent>> Delete(
        HttpContext context,
        int entryId,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var book = await Current(context, access, cancellationToken);
        Find(book.Body, entryId);
        var saved = await Save(
            context,
            access,
            book,
            book.Body with
            {
                Entries = book.Body.Entries.Where(e => e.Id != entryId).ToArray(),
            },
            cancellationToken
        );
        return ETagged.Of(ETags.ForVersion(saved.Version), TypedResults.NoContent());
    }

    private static async Task<ETagged<Ok<LoreEntryResponse>>> SaveEntry(
        HttpContext context,
        ILorebookAccess access,
        StoredResource<Lorebook> book,
        LoreEntry entry,
        CancellationToken cancellationToken
    )
    {
        var saved = await Save(
            context,
            access,
            book,
            book.Body with
            {
                Entries = book.Body.Entries.Select(e => e.Id == entry.Id ? entry : e).ToArray(),
            },
            cancellationToken
        );
        return ETagged.Of(
            ETags.ForVersion(saved.Version),
            TypedResults.Ok(LoreEntryResponse.From(Find(saved.Body, entry.Id)))
        );
    }

    /// <summary>The book as read now; an If-Match that names another version fails here, before any work.</summary>
    private static async Task<StoredResource<Lorebook>> Current(
        HttpContext context,
        ILorebookAccess access,
        CancellationToken cancellationToken
    )
    {
        var book = await access.GetAsync(context, cancellationToken);
        if (ETags.ExpectedVersion(context.Request) is { } expected && expected != book.Version)
        {
            throw new PreconditionFailedException(Lorebook.Kind, book.Id);
        }
        return book;
    }

    private static Task<StoredResource<Lorebook>> Save(
        HttpContext context,
        ILorebookAccess access,
        StoredResource<Lorebook> current,
        Lorebook next,
        CancellationToken cancellationToken
    ) => access.ReplaceAsync(context, next, current.Version, cancellationToken);

    private static LoreEntry Find(Lorebook book, int entryId) =>
        book.Entries.FirstOrDefault(e => e.Id == entryId)
        ?? throw new NotFoundException(
            "lorebook entry",
            entryId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
}

/// <summary>Entry routes under <c>/worlds/{worldId}/lorebooks/{id}</c>.</summary>
public sealed class WorldLorebookAccess : ILorebookAccess
{
    public Task<StoredResource<Lorebook>> GetAsync(HttpContext context, CancellationToken cancellationToken) =>
        Service(context).GetAsync(Scope(context), BookId(context), cancellationToken);

    public Task<StoredResource<Lorebook>> ReplaceAsync(
        HttpContext context,
        Lorebook body,
        long expectedVersion,
        CancellationToken cancellationToken
    ) => Service(context).ReplaceAsync(Scope(context), BookId(context), body, expectedVersion, cancellationToken);

    private static ResourceService<Lorebook> Service(HttpContext context) =>
        context.RequestServices.GetRequiredService<ResourceService<Lorebook>>();

    private static ResourceScope Scope(HttpContext context) =>
        new(context.User.UserId(), (string)context.Request.RouteValues["worldId"]!);

    private static string BookId(HttpContext context) => (string)context.Request.RouteValues["id"]!;
}

/// <summary>Entry routes under <c>/worlds/{worldId}/characters/{id}/lorebook</c>.</summary>
public sealed class CharacterLorebookAccess : ILorebookAccess
{
    public Task<StoredResource<Lorebook>> GetAsync(HttpContext context, CancellationToken cancellationToken) =>
        Books(context).GetAsync(Scope(context), CharacterId(context), cancellationToken);

    public async Task<StoredResource<Lorebook>> ReplaceAsync(
        HttpContext context,
        Lorebook body,
        long expectedVersion,
        CancellationToken cancellationToken
    ) =>
        (
            await Books(context)
                .PutAsync(Scope(context), CharacterId(context), body, expectedVersion, cancellationToken)
        ).Book;

    private static CharacterLorebooks Books(HttpContext context) =>
        context.RequestServices.GetRequiredService<CharacterLorebooks>();

    private static ResourceScope Scope(HttpContext context) =>
        new(context.User.UserId(), (string)context.Request.RouteValues["worldId"]!);

    private static string CharacterId(HttpContext context) => (string)context.Request.RouteValues["id"]!;
}
