using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;

namespace StoryEngine.Core.Knowledge;

/// <summary>What a <see cref="KnowledgeIndexJob"/> is asked to embed.</summary>
public sealed record KnowledgeIndexPayload(string DocumentId, string WorldId);

/// <summary>
/// Gives a document's passages vectors of the configured embedding model: those with none, or with one of another
/// model (a model change re-indexes this way, in the background, while search goes on with full text). Idempotent; one
/// job per document (deduplicated). Without an embedding model, or while the local one is still loading, it does
/// nothing: the sweep after the model is loaded (<c>EmbeddingsWarmupService</c>) queues it again.
/// </summary>
public sealed class KnowledgeIndexJob(IKnowledgeStore store, MemoryEmbeddings embeddings) : IJobHandler
{
    public const string JobType = "knowledge.index";

    public string Type => JobType;

    public static JobRequest Request(string ownerId, string worldId, string documentId) =>
        new(
            JobType,
            JsonSerializer.Serialize(new KnowledgeIndexPayload(documentId, worldId), JsonSerializerOptions.Web),
            ownerId,
            Priority: JobPriority.Low,
            DedupeKey: documentId
        );

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<KnowledgeIndexPayload>(job.Payload, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"Job {job.JobId} ({JobType}) has no payload.");
        await EmbedAsync(job.OwnerId, payload.WorldId, payload.DocumentId, cancellationToken);
    }

    /// <summary>Embeds the document's passages that lack a vector of the current model; returns how many.</summary>
    public async Task<int> EmbedAsync(
        string ownerId,
        string worldId,
        string documentId,
        CancellationToken cancellationToken
    )
    {
        if (!embeddings.Enabled)
        {
            return 0;
        }
        var stale = (await store.ListChunksAsync(documentId, cancellationToken))
            .Where(c => c.EmbeddingModel != embeddings.Model)
            .ToArray();
        if (stale.Length == 0)
        {
            return 0;
        }
        var vectors = await embeddings.EmbedAsync(
            stale.Select(EmbeddedText).ToArray(),
            ownerId,
            adventureId: null,
            cancellationToken
        );
        await store.SetVectorsAsync(
            worldId,
            stale.Select((c, i) => (c.Id, vectors[i])).ToArray(),
            embeddings.Model,
            cancellationToken
        );
        return stale.Length;
    }

    /// <summary>What a passage's vector is made from: its heading gives it its subject.</summary>
    public static string EmbeddedText(StoredChunk chunk) =>
        chunk.Heading.Length == 0 ? chunk.Text : chunk.Heading + "\n" + chunk.Text;
}
