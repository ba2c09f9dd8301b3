using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>
/// A world's documents (issue 20): upload a setting bible (text, Markdown, HTML, PDF or EPUB), see how far each is
/// indexed, download, re-index, trash and restore, and try a question against them, with the same services as
/// <c>/api/v1/worlds/{worldId}/documents</c> and <c>…/knowledge/search</c>.
/// </summary>
[RequestSizeLimit(MaxFormBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxFormBytes)]
public sealed class DocumentsModel(
    ResourceService<World> worlds,
    ResourceService<KnowledgeDocument> documents,
    KnowledgeService knowledge,
    KnowledgeSearch search,
    IKnowledgeStore store,
    MemoryEmbeddings embeddings,
    KnowledgeOptions options
) : StoryPageModel
{
    // The form's own limit; the service refuses anything over Knowledge:MaxDocumentBytes with a clear problem.
    private const long MaxFormBytes = 64L * 1024 * 1024;

    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    /// <summary>The question tried against the documents, if any.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public StoredResource<World> World { get; private set; } = null!;

    public IReadOnlyList<StoredResource<KnowledgeDocument>> Documents { get; private set; } = [];

    public IReadOnlyList<StoredResource<KnowledgeDocument>> Trash { get; private set; } = [];

    public IReadOnlyDictionary<string, DocumentIndexState> Index { get; private set; } =
        new Dictionary<string, DocumentIndexState>();

    public KnowledgeResult? Results { get; private set; }

    /// <summary>Whether passages get vectors here (an embedding model is configured), so search is by meaning
    /// too.</summary>
    public bool ByMeaning => embeddings.Configured;

    public long MaxMegabytes => options.MaxDocumentBytes / (1024 * 1024);

    private ResourceScope Inside => new(UserId, WorldId);

    private string Here => $"/worlds/{WorldId}/documents";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            await AttemptAsync(async () =>
            {
                if (Q.Length > 2_000)
                {
                    throw ValidationFailedException.For("q", "A question may be at most 2000 characters.");
                }
                Results = await search.SearchAsync(UserId, WorldId, Q, 10, cancellationToken);
                return Page();
            });
        }
    }

    /// <summary>The document as it was uploaded.</summary>
    public async Task<IActionResult> OnGetFileAsync(string id, CancellationToken cancellationToken)
    {
        var (document, content) = await knowledge.GetOriginalAsync(Inside, id, cancellationToken);
        return File(content, document.Body.MediaType, document.Body.FileName ?? document.Body.Name);
    }

    public Task<IActionResult> OnPostUploadAsync(IFormFile? file, string? name, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
                if (file is null || file.Length == 0)
                {
                    throw ValidationFailedException.For("file", "Choose a document file first.");
                }
                if (file.Length > options.MaxDocumentBytes)
                {
                    throw KnowledgeService.TooLarge(options.MaxDocumentBytes);
                }
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, cancellationToken);
                var created = await knowledge.UploadAsync(
                    Inside,
                    new DocumentUpload(buffer.ToArray(), file.FileName, file.ContentType, name, null, []),
                    cancellationToken
                );
                return Done(
                    $"Added {created.Body.Name}: {created.Body.Characters:N0} characters of text. The narrator "
                        + "can use it from the next turn.",
                    Here
                );
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostReindexAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var document = await knowledge.ReindexAsync(Inside, id, cancellationToken);
                return Done($"Cut {document.Body.Name} into passages again; its vectors follow shortly.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostTrashAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await documents.DeleteAsync(Inside, id, null, cancellationToken);
                return Done("Moved the document to the trash; restore it below within 30 days.", Here + "#trash-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRestoreAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var restored = await documents.RestoreAsync(Inside, id, cancellationToken);
                return Done($"Restored {restored.Body.Name}.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    /// <summary>"12 of 40 passages searchable by meaning", or what is missing for that.</summary>
    public string IndexText(string id)
    {
        var state = Index.GetValueOrDefault(id);
        var passages = state?.Chunks ?? 0;
        if (!ByMeaning)
        {
            return $"{passages:N0} passages, searched by words";
        }
        var embedded = state?.Embedded ?? 0;
        return embedded >= passages
            ? $"{passages:N0} passages, searched by words and meaning"
            : $"{passages:N0} passages, {embedded:N0} searchable by meaning so far";
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        World = await worlds.GetAsync(new(UserId, null), WorldId, cancellationToken);
        var all = ListQuery.From(ListQuery.MaxLimit, null, null, null);
        Documents = (await documents.ListAsync(Inside, all, cancellationToken)).Items;
        Trash = (await documents.ListTrashAsync(Inside, all, cancellationToken)).Items;
        Index = await store.GetIndexStatesAsync(
            UserId,
            [.. Documents.Select(d => d.Id)],
            embeddings.Configured ? embeddings.Model : null,
            cancellationToken
        );
    }
}
