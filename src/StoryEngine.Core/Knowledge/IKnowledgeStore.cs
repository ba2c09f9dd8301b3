using StoryEngine.Core.Memory;

namespace StoryEngine.Core.Knowledge;

/// <summary>A part of a document under one heading: its paragraphs in order.</summary>
/// <param name="Heading">The heading path ("Geography › Rivers"); empty before the first heading.</param>
public sealed record DocumentSection(string Heading, IReadOnlyList<string> Paragraphs);

/// <summary>Turns an uploaded file into sections of text; throws <see cref="Errors.InvalidFileException"/>
/// (<c>invalid_document</c>) for a file that is not what its format says.</summary>
public interface IDocumentExtractor
{
    IReadOnlyList<DocumentSection> Extract(string format, byte[] content);
}

/// <summary>One passage of a document as cut (<see cref="DocumentChunker"/>): its place, its heading and its
/// text.</summary>
public sealed record DocumentChunk(int Ordinal, string Heading, string Text);

/// <summary>A stored passage: its row id, and the model its vector is of (null: none yet).</summary>
public sealed record StoredChunk(long Id, int Ordinal, string Heading, string Text, string? EmbeddingModel);

/// <summary>A passage as search returns it, with its document.</summary>
public sealed record KnowledgePassage(
    long ChunkId,
    string DocumentId,
    string DocumentName,
    int Ordinal,
    string Heading,
    string Text
);

/// <summary>A full-text hit; a higher <see cref="Score"/> is better (comparable within one search only).</summary>
public sealed record KnowledgeTextHit(long ChunkId, double Score);

/// <summary>Every vector of one world's passages for one model, row-major, with the generation it was read
/// at.</summary>
public sealed record KnowledgeVectors(long Generation, long[] ChunkIds, float[] Matrix, int Dimensions);

/// <summary>How far a document's passages are indexed: how many there are, and how many have a vector of
/// <see cref="Model"/>.</summary>
public sealed record DocumentIndexState(int Chunks, int Embedded, string? Model);

/// <summary>A document whose passages lack vectors of the current model.</summary>
public sealed record StaleDocument(string DocumentId, string OwnerId, string WorldId);

/// <summary>
/// The originals and passages of world documents on either engine. Every read is bounded to one owner and world;
/// passages of trashed documents (or of a trashed world) are never returned by search.
/// </summary>
public interface IKnowledgeStore : ITermCounter
{
    Task SaveOriginalAsync(
        string ownerId,
        string documentId,
        string mediaType,
        byte[] content,
        CancellationToken cancellationToken
    );

    /// <summary>The uploaded file; null when the document has none (or is someone else's).</summary>
    Task<(string MediaType, byte[] Content)?> GetOriginalAsync(
        string ownerId,
        string documentId,
        CancellationToken cancellationToken
    );

    /// <summary>Replaces the document's passages with <paramref name="chunks"/> (text only; vectors follow from the
    /// index job) and moves the world's generation on, in one transaction.</summary>
    Task ReplaceChunksAsync(
        string ownerId,
        string worldId,
        string documentId,
        IReadOnlyList<DocumentChunk> chunks,
        CancellationToken cancellationToken
    );

    Task<IReadOnlyList<StoredChunk>> ListChunksAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>Stores vectors of <paramref name="model"/> for passages (by row id) that still exist, and moves the
    /// world's generation on.</summary>
    Task SetVectorsAsync(
        string worldId,
        IReadOnlyList<(long ChunkId, float[] Vector)> vectors,
        string model,
        CancellationToken cancellationToken
    );

    /// <summary>Full-text search over the live documents of one world, best first: the words of <paramref
    /// name="query"/> (<see cref="TermSelection"/>), only the <paramref name="ranked"/> newest matches
    /// ranked.</summary>
    Task<IReadOnlyList<KnowledgeTextHit>> SearchTextAsync(
        string ownerId,
        string worldId,
        TextQuery query,
        int limit,
        int ranked,
        CancellationToken cancellationToken
    );

    /// <summary>The world's index generation: changes with every passage write, so cached vectors know when to
    /// reload.</summary>
    Task<long> GetGenerationAsync(string worldId, CancellationToken cancellationToken);

    /// <summary>Every vector of <paramref name="model"/> among the world's passages (trashed documents' too: search
    /// drops those when it reads the passages).</summary>
    Task<KnowledgeVectors> LoadVectorsAsync(string worldId, string model, CancellationToken cancellationToken);

    /// <summary>The passages with these ids that belong to live documents of the owner's live world.</summary>
    Task<IReadOnlyList<KnowledgePassage>> GetPassagesAsync(
        string ownerId,
        string worldId,
        IReadOnlyList<long> chunkIds,
        CancellationToken cancellationToken
    );

    /// <summary>Per document id, how many passages it has and how many have a vector of <paramref
    /// name="model"/>.</summary>
    Task<IReadOnlyDictionary<string, DocumentIndexState>> GetIndexStatesAsync(
        string ownerId,
        IReadOnlyList<string> documentIds,
        string? model,
        CancellationToken cancellationToken
    );

    /// <summary>Live documents with a passage that has no vector of <paramref name="model"/>.</summary>
    Task<IReadOnlyList<StaleDocument>> ListStaleAsync(string model, int limit, CancellationToken cancellationToken);

    /// <summary>Removes originals and passages whose document no longer exists (purged from the trash).</summary>
    Task<int> PurgeOrphansAsync(CancellationToken cancellationToken);
}
