using System.Security.Cryptography;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Knowledge;

/// <summary>What an upload says about itself besides its bytes.</summary>
/// <param name="Name">The document's name; the file's name (without extension) when not given.</param>
public sealed record DocumentUpload(
    byte[] Content,
    string? FileName,
    string? MediaType,
    string? Name,
    string? Description,
    IReadOnlyList<string> Tags
);

/// <summary>
/// Uploads and re-indexes world documents: the text is extracted and cut into passages at once, so a bad file is
/// refused with a precise problem and full-text search finds the passages as soon as the upload returns; their vectors
/// follow from a <see cref="KnowledgeIndexJob"/>, off the request path.
/// </summary>
public sealed class KnowledgeService(
    ResourceService<KnowledgeDocument> documents,
    IKnowledgeStore store,
    IDocumentExtractor extractor,
    KnowledgeOptions options,
    IJobQueue? queue = null
)
{
    public async Task<StoredResource<KnowledgeDocument>> UploadAsync(
        ResourceScope scope,
        DocumentUpload upload,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Content.LongLength > options.MaxDocumentBytes)
        {
            throw TooLarge(options.MaxDocumentBytes);
        }
        var format = DocumentFormats.Detect(upload.MediaType, upload.FileName, upload.Content)
            ?? throw new UnsupportedFormatException(
                "World documents are text, Markdown, HTML, PDF or EPUB; say which with the Content-Type (text/plain, "
                    + "text/markdown, text/html, application/pdf, application/epub+zip) or the file's extension."
            );
        var chunks = Cut(format, upload.Content, out var characters);
        var name = string.IsNullOrWhiteSpace(upload.Name)
            ? Path.GetFileNameWithoutExtension(upload.FileName ?? "") is { Length: > 0 } stem
                ? stem
                : "Untitled document"
            : upload.Name.Trim();
        var body = new KnowledgeDocument
        {
            Name = name,
            Description = upload.Description ?? "",
            Tags = upload.Tags,
            FileName = upload.FileName,
            Format = format,
            MediaType = DocumentFormats.MediaTypeOf(format),
            Bytes = upload.Content.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(upload.Content)),
            Characters = characters,
        };
        var created = await documents.CreateAsync(scope, body, cancellationToken);
        await store.SaveOriginalAsync(scope.OwnerId, created.Id, body.MediaType, upload.Content, cancellationToken);
        await store.ReplaceChunksAsync(scope.OwnerId, scope.ParentId!, created.Id, chunks, cancellationToken);
        await QueueAsync(scope, created.Id, cancellationToken);
        return created;
    }

    /// <summary>Cuts the stored original again (with the extractor and settings of now) and queues its
    /// vectors.</summary>
    public async Task<StoredResource<KnowledgeDocument>> ReindexAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        var document = await documents.GetAsync(scope, id, cancellationToken);
        var (_, content) = await store.GetOriginalAsync(scope.OwnerId, id, cancellationToken)
            ?? throw new NotFoundException("document original", id);
        var chunks = Cut(document.Body.Format, content, out _);
        await store.ReplaceChunksAsync(scope.OwnerId, scope.ParentId!, id, chunks, cancellationToken);
        await QueueAsync(scope, id, cancellationToken);
        return document;
    }

    /// <summary>The uploaded file of a live document.</summary>
    public async Task<(StoredResource<KnowledgeDocument> Document, byte[] Content)> GetOriginalAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        var document = await documents.GetAsync(scope, id, cancellationToken);
        var (_, content) = await store.GetOriginalAsync(scope.OwnerId, id, cancellationToken)
            ?? throw new NotFoundException("document original", id);
        return (document, content);
    }

    private IReadOnlyList<DocumentChunk> Cut(string format, byte[] content, out int characters)
    {
        var sections = extractor.Extract(format, content);
        characters = sections.Sum(s => s.Heading.Length + s.Paragraphs.Sum(p => p.Length));
        if (characters > options.MaxDocumentCharacters)
        {
            throw new DocumentTooLongException(
                $"The document holds {characters:N0} characters of text; a document may hold at most "
                    + $"{options.MaxDocumentCharacters:N0} (Knowledge:MaxDocumentCharacters). Split it in parts."
            );
        }
        var chunks = DocumentChunker.Chunk(sections, options.ChunkCharacters, options.OverlapCharacters);
        return chunks.Count > 0
            ? chunks
            : throw InvalidFileException.Document(
                "The document has no text to search (a scanned PDF holds pictures of pages, not text)."
            );
    }

    private async Task QueueAsync(ResourceScope scope, string id, CancellationToken cancellationToken)
    {
        if (queue is not null)
        {
            await queue.EnqueueAsync(KnowledgeIndexJob.Request(scope.OwnerId, scope.ParentId!, id), cancellationToken);
        }
    }

    public static PayloadTooLargeException TooLarge(long maxBytes) =>
        new(
            $"A world document may be at most {maxBytes / (1024 * 1024)} MB (Knowledge:MaxDocumentBytes). Split it, "
                + "or upload the text without pictures."
        );
}
