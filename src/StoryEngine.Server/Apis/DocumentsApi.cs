using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>
/// A world's documents (docs/adr/0045-world-documents.md): upload text, Markdown, HTML, PDF or EPUB; list, read,
/// rename, download the original, re-index, trash and restore; and search them by words and meaning together.
/// </summary>
public static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder api)
    {
        var documents = api.MapGroup("/worlds/{worldId}/documents").WithTags("Knowledge");
        documents
            .MapGet("/", List)
            .WithName("ListDocuments")
            .WithSummary("List a world's documents, paged, with text search (q) and tag filter (tag)")
            .ProducesProblem(400)
            .ProducesProblem(404);
        documents
            .MapGet("/trash", ListTrash)
            .WithName("ListDocumentsInTrash")
            .WithSummary("List deleted documents that can still be restored")
            .ProducesProblem(400)
            .ProducesProblem(404);
        // No Accepts(...): the file's media type, name or first bytes decide what it is.
        documents
            .MapPost("/", Upload)
            .WithName("UploadDocument")
            .WithSummary(
                "Upload a document (text, Markdown, HTML, PDF or EPUB) as multipart 'file' or the raw file; name, "
                    + "description and tags as query or form fields"
            )
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415)
            .ProducesProblem(422);
        documents.MapGet("/{id}", Get).WithName("GetDocument").WithSummary("Get one document").ProducesProblem(404);
        documents
            .MapGet("/{id}/file", Download)
            .WithName("DownloadDocument")
            .WithSummary("Download the document's original file as it was uploaded")
            .ProducesProblem(404);
        documents
            .MapPatch("/{id}", Patch)
            .WithName("PatchDocument")
            .WithSummary("Change a document's name, description or tags (If-Match for lost-update protection)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412);
        documents
            .MapPost("/{id}/reindex", Reindex)
            .WithName("ReindexDocument")
            .WithSummary("Cut the original into passages again and embed them in the background")
            .ProducesProblem(404)
            .ProducesProblem(422);
        documents
            .MapDelete("/{id}", Delete)
            .WithName("DeleteDocument")
            .WithSummary("Move a document to the trash (restorable for 30 days); search no longer finds it")
            .ProducesProblem(404)
            .ProducesProblem(412);
        documents
            .MapPost("/{id}/restore", Restore)
            .WithName("RestoreDocument")
            .WithSummary("Bring a document back from the trash")
            .ProducesProblem(404)
            .ProducesProblem(409);

        api.MapGroup("/worlds/{worldId}/knowledge")
            .WithTags("Knowledge")
            .MapGet("/search", Search)
            .WithName("SearchKnowledge")
            .WithSummary(
                "Passages of the world's documents that answer q: full text and vectors fused by reciprocal rank"
            )
            .ProducesProblem(400)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<PageResponse<DocumentResponse>>> List(
        HttpContext context,
        string worldId,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        int? limit,
        string? cursor,
        string? q,
        [FromQuery] string[]? tag,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        var page = await service.ListAsync(scope, ListQuery.From(limit, cursor, q, tag), cancellationToken);
        return await PageAsync(context, scope, page, store, embeddings, cancellationToken);
    }

    private static async Task<Ok<PageResponse<DocumentResponse>>> ListTrash(
        HttpContext context,
        string worldId,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        int? limit,
        string? cursor,
        string? q,
        [FromQuery] string[]? tag,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        var page = await service.ListTrashAsync(scope, ListQuery.From(limit, cursor, q, tag), cancellationToken);
        return await PageAsync(context, scope, page, store, embeddings, cancellationToken);
    }

    // A page of documents, each with how far it is indexed, and the link to the next page.
    private static async Task<Ok<PageResponse<DocumentResponse>>> PageAsync(
        HttpContext context,
        ResourceScope scope,
        Page<StoredResource<KnowledgeDocument>> page,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        Paging.AddNextLink(context, page.NextCursor);
        return TypedResults.Ok(
            new PageResponse<DocumentResponse>(
                await ResponsesAsync(scope, page.Items, store, embeddings, cancellationToken),
                page.NextCursor
            )
        );
    }

    private static async Task<ETagged<Created<DocumentResponse>>> Upload(
        HttpContext context,
        string worldId,
        KnowledgeService knowledge,
        KnowledgeOptions options,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        // The world is checked before a large body is read.
        await service.ListAsync(scope, ListQuery.From(1, null, null, null), cancellationToken);
        var upload = await Uploads.ReadAsync(
            context.Request,
            options.MaxDocumentBytes,
            () => KnowledgeService.TooLarge(options.MaxDocumentBytes),
            cancellationToken
        );
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : null;
        string? Field(string name) =>
            form?[name].FirstOrDefault() is { Length: > 0 } value
                ? value
                : context.Request.Query[name].FirstOrDefault();
        var tags = (form?["tag"].Count > 0 ? form["tag"] : context.Request.Query["tag"])
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => t!)
            .ToArray();
        var mediaType = form?.Files.GetFile(Uploads.FieldName)?.ContentType
            ?? form?.Files.FirstOrDefault()?.ContentType;
        var created = await knowledge.UploadAsync(
            scope,
            new DocumentUpload(
                upload.Content,
                upload.FileName ?? Field("fileName"),
                form is null ? context.Request.ContentType : mediaType,
                Field("name"),
                Field("description"),
                tags
            ),
            cancellationToken
        );
        var response = (await ResponsesAsync(scope, [created], store, embeddings, cancellationToken))[0];
        return ETagged.Of(
            ETags.ForVersion(created.Version),
            TypedResults.Created($"/api/v1/worlds/{worldId}/documents/{created.Id}", response)
        );
    }

    private static async Task<ETagged<Ok<DocumentResponse>>> Get(
        HttpContext context,
        string worldId,
        string id,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        var document = await service.GetAsync(scope, id, cancellationToken);
        return ETagged.Of(
            ETags.ForVersion(document.Version),
            TypedResults.Ok((await ResponsesAsync(scope, [document], store, embeddings, cancellationToken))[0])
        );
    }

    private static async Task<FileContentHttpResult> Download(
        HttpContext context,
        string worldId,
        string id,
        KnowledgeService knowledge,
        CancellationToken cancellationToken
    )
    {
        var (document, content) = await knowledge.GetOriginalAsync(Scope(context, worldId), id, cancellationToken);
        return TypedResults.File(
            content,
            document.Body.MediaType,
            document.Body.FileName ?? document.Body.Name + Extension(document.Body.Format)
        );
    }

    private static async Task<ETagged<Ok<DocumentResponse>>> Patch(
        HttpContext context,
        string worldId,
        string id,
        DocumentPatchRequest? request,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        if (request is null)
        {
            throw ValidationFailedException.For("body", "Send a JSON object naming the fields to change.");
        }
        var scope = Scope(context, worldId);
        var current = await service.GetAsync(scope, id, cancellationToken);
        var body = current.Body with
        {
            Name = request.Name ?? current.Body.Name,
            Description = request.Description ?? current.Body.Description,
            Tags = request.Tags ?? current.Body.Tags,
        };
        var expected = ETags.ExpectedVersion(context.Request) ?? current.Version;
        var updated = await service.ReplaceAsync(scope, id, body, expected, cancellationToken);
        return ETagged.Of(
            ETags.ForVersion(updated.Version),
            TypedResults.Ok((await ResponsesAsync(scope, [updated], store, embeddings, cancellationToken))[0])
        );
    }

    private static async Task<Accepted<DocumentResponse>> Reindex(
        HttpContext context,
        string worldId,
        string id,
        KnowledgeService knowledge,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        var document = await knowledge.ReindexAsync(scope, id, cancellationToken);
        return TypedResults.Accepted(
            $"/api/v1/worlds/{worldId}/documents/{id}",
            (await ResponsesAsync(scope, [document], store, embeddings, cancellationToken))[0]
        );
    }

    private static async Task<NoContent> Delete(
        HttpContext context,
        string worldId,
        string id,
        ResourceService<KnowledgeDocument> service,
        CancellationToken cancellationToken
    )
    {
        await service.DeleteAsync(
            Scope(context, worldId),
            id,
            ETags.ExpectedVersion(context.Request),
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<ETagged<Ok<DocumentResponse>>> Restore(
        HttpContext context,
        string worldId,
        string id,
        ResourceService<KnowledgeDocument> service,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var scope = Scope(context, worldId);
        var restored = await service.RestoreAsync(scope, id, cancellationToken);
        return ETagged.Of(
            ETags.ForVersion(restored.Version),
            TypedResults.Ok((await ResponsesAsync(scope, [restored], store, embeddings, cancellationToken))[0])
        );
    }

    private static async Task<Ok<KnowledgeSearchResponse>> Search(
        HttpContext context,
        string worldId,
        string? q,
        int? limit,
        ResourceService<KnowledgeDocument> service,
        KnowledgeSearch search,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(q))
        {
            errors.Add("q", "q is required: the question or words to look for.");
        }
        else if (q.Length > 2_000)
        {
            errors.Add("q", "q may be at most 2000 characters.");
        }
        if (limit is < 1 or > 50)
        {
            errors.Add("limit", "limit must be between 1 and 50.");
        }
        errors.ThrowIfAny();
        var scope = Scope(context, worldId);
        // Refuses a world that is missing, trashed or someone else's (404).
        await service.ListAsync(scope, ListQuery.From(1, null, null, null), cancellationToken);
        var result = await search.SearchAsync(scope.OwnerId, worldId, q!, limit ?? 10, cancellationToken);
        return TypedResults.Ok(
            new KnowledgeSearchResponse(
                result.Query,
                embeddings.Enabled && result.Note is null ? "hybrid" : "full-text",
                embeddings.Configured ? embeddings.Model : null,
                result.Note,
                [
                    .. result.Hits.Select(h => new KnowledgeHitResponse(
                        h.Passage.DocumentId,
                        h.Passage.DocumentName,
                        h.Passage.Heading,
                        h.Passage.Ordinal,
                        h.Passage.Text,
                        h.Score,
                        h.TextRank,
                        h.VectorRank,
                        h.Similarity,
                        h.TextScore
                    )),
                ]
            )
        );
    }

    private static async Task<DocumentResponse[]> ResponsesAsync(
        ResourceScope scope,
        IReadOnlyList<StoredResource<KnowledgeDocument>> documents,
        IKnowledgeStore store,
        MemoryEmbeddings embeddings,
        CancellationToken cancellationToken
    )
    {
        var model = embeddings.Configured ? embeddings.Model : null;
        var states = await store.GetIndexStatesAsync(
            scope.OwnerId,
            [.. documents.Select(d => d.Id)],
            model,
            cancellationToken
        );
        return [.. documents.Select(d => DocumentResponse.From(d, states.GetValueOrDefault(d.Id), model))];
    }

    private static string Extension(string format) =>
        format switch
        {
            DocumentFormats.Markdown => ".md",
            DocumentFormats.Html => ".html",
            DocumentFormats.Pdf => ".pdf",
            DocumentFormats.Epub => ".epub",
            _ => ".txt",
        };

    private static ResourceScope Scope(HttpContext context, string worldId) => new(context.User.UserId(), worldId);
}
