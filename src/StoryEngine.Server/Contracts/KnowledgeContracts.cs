using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

/// <summary>How far a document is indexed: its passages, how many have a vector of the configured model (null when
/// none is), and whether every passage can be found by meaning as well as by words (ready).</summary>
public sealed record DocumentIndexResponse(int Passages, int Embedded, string? Model, bool Ready);

/// <summary>A world document: what was uploaded and how far it is indexed.</summary>
public sealed record DocumentResponse(
    string Id,
    string WorldId,
    string Name,
    string Description,
    IReadOnlyList<string> Tags,
    string? FileName,
    string Format,
    string MediaType,
    long Bytes,
    string Sha256,
    int Characters,
    DocumentIndexResponse Index,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt
)
{
    public static DocumentResponse From(StoredResource<KnowledgeDocument> d, DocumentIndexState? state, string? model)
    {
        var passages = state?.Chunks ?? 0;
        var embedded = state?.Embedded ?? 0;
        return new(
            d.Id,
            d.ParentId!,
            d.Body.Name,
            d.Body.Description,
            d.Body.Tags,
            d.Body.FileName,
            d.Body.Format,
            d.Body.MediaType,
            d.Body.Bytes,
            d.Body.Sha256,
            d.Body.Characters,
            new DocumentIndexResponse(passages, embedded, model, model is not null && embedded == passages),
            d.Version,
            d.CreatedAt,
            d.UpdatedAt,
            d.DeletedAt
        );
    }
}

/// <summary>What may change of a document after upload (a JSON merge patch): its name, description and
/// tags.</summary>
public sealed record DocumentPatchRequest(string? Name, string? Description, IReadOnlyList<string>? Tags);

/// <summary>One passage found by knowledge search: the fused score (reciprocal rank fusion), its place in each ranking,
/// its cosine similarity and its full-text score (BM25 on SQLite, ts_rank on PostgreSQL) where it was a hit.</summary>
public sealed record KnowledgeHitResponse(
    string DocumentId,
    string DocumentName,
    string Heading,
    int Passage,
    string Text,
    double Score,
    int? TextRank,
    int? VectorRank,
    float? Similarity,
    double? TextScore
);

/// <summary>The passages for a question, best first; the mode is <c>hybrid</c> (full text and vectors) or
/// <c>full-text</c>, and the note says what the search could not do.</summary>
public sealed record KnowledgeSearchResponse(
    string Query,
    string Mode,
    string? Model,
    string? Note,
    IReadOnlyList<KnowledgeHitResponse> Items
);
