using System.Data.Common;
using System.Globalization;
using Dapper;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Storage.Memory;

namespace StoryEngine.Storage.Knowledge;

/// <summary>
/// World documents' originals and passages on either engine (migration 0016). Full-text search differs between the
/// engines and comes from the dialect (<see cref="ISqlDialect.KnowledgeIndex"/>, migration 0022); the rest is SQL both
/// accept.
/// </summary>
public sealed class KnowledgeStore(IStorageProvider provider) : IKnowledgeStore
{
    private const string BumpGeneration = """
        INSERT INTO knowledge_generations (world_id, generation) VALUES (@WorldId, 1)
        ON CONFLICT (world_id) DO UPDATE SET generation = knowledge_generations.generation + 1
        """;

    public async Task SaveOriginalAsync(
        string ownerId,
        string documentId,
        string mediaType,
        byte[] content,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO knowledge_originals (document_id, owner_id, media_type, content)
                VALUES (@DocumentId, @OwnerId, @MediaType, @Content)
                ON CONFLICT (document_id) DO UPDATE SET media_type = excluded.media_type, content = excluded.content
                """,
                new
                {
                    DocumentId = documentId,
                    OwnerId = ownerId,
                    MediaType = mediaType,
                    Content = content,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<(string MediaType, byte[] Content)?> GetOriginalAsync(
        string ownerId,
        string documentId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string MediaType, byte[] Content)?>(
            new CommandDefinition(
                "SELECT media_type, content FROM knowledge_originals WHERE document_id = @DocumentId "
                    + "AND owner_id = @OwnerId",
                new { DocumentId = documentId, OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
        return row;
    }

    public async Task ReplaceChunksAsync(
        string ownerId,
        string worldId,
        string documentId,
        IReadOnlyList<DocumentChunk> chunks,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM knowledge_chunks WHERE document_id = @DocumentId",
                new { DocumentId = documentId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO knowledge_chunks (document_id, world_id, owner_id, ordinal, heading, text)
                VALUES (@DocumentId, @WorldId, @OwnerId, @Ordinal, @Heading, @Text)
                """,
                chunks.Select(c => new
                {
                    DocumentId = documentId,
                    WorldId = worldId,
                    OwnerId = ownerId,
                    Ordinal = (long)c.Ordinal,
                    c.Heading,
                    c.Text,
                }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await BumpAsync(connection, transaction, worldId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredChunk>> ListChunksAsync(
        string documentId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, long Ordinal, string Heading, string Text, string? Model)>(
            new CommandDefinition(
                "SELECT id, ordinal, heading, text, embedding_model FROM knowledge_chunks "
                    + "WHERE document_id = @DocumentId ORDER BY ordinal",
                new { DocumentId = documentId },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new StoredChunk(r.Id, (int)r.Ordinal, r.Heading, r.Text, r.Model)).ToArray();
    }

    public async Task SetVectorsAsync(
        string worldId,
        IReadOnlyList<(long ChunkId, float[] Vector)> vectors,
        string model,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE knowledge_chunks SET embedding = @Embedding, embedding_model = @Model, "
                    + "embedding_dimensions = @Dimensions WHERE id = @Id",
                vectors.Select(v => new
                {
                    Id = v.ChunkId,
                    Embedding = VectorMath.ToBytes(v.Vector),
                    Model = model,
                    Dimensions = (long)v.Vector.Length,
                }),
                transaction,
                cancellationToken: cancellationToken
            )
        );
        await BumpAsync(connection, transaction, worldId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<KnowledgeTextHit>> SearchTextAsync(
        string ownerId,
        string worldId,
        TextQuery query,
        int limit,
        int ranked,
        CancellationToken cancellationToken
    )
    {
        if (query.Matching.Count == 0 || limit <= 0 || ranked <= 0)
        {
            return [];
        }
        var index = provider.Dialect.KnowledgeIndex;
        var parameters = new DynamicParameters(index.Match(worldId, query));
        parameters.AddDynamicParams(
            new
            {
                OwnerId = ownerId,
                WorldId = worldId,
                Ranked = (long)ranked,
                Limit = (long)limit,
            }
        );
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long ChunkId, double Score)>(
            new CommandDefinition(index.Search, parameters, cancellationToken: cancellationToken)
        );
        return rows.Select(r => new KnowledgeTextHit(r.ChunkId, r.Score)).ToArray();
    }

    public async Task<TermCounts> CountTermsAsync(
        string scopeId,
        IReadOnlyList<string> terms,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var (entries, generation) = await connection.QuerySingleAsync<(long Entries, long Generation)>(
            new CommandDefinition(
                """
                SELECT (SELECT count(*) FROM knowledge_chunks WHERE world_id = @WorldId),
                       coalesce((SELECT generation FROM knowledge_generations WHERE world_id = @WorldId), 0)
                """,
                new { WorldId = scopeId },
                cancellationToken: cancellationToken
            )
        );
        if (terms.Count == 0 || entries == 0 || limit <= 0)
        {
            return new TermCounts((int)entries, terms.Select(_ => 0).ToArray(), generation);
        }
        var index = provider.Dialect.KnowledgeIndex;
        var matches = await TermCountSql.CountAsync(
            connection,
            terms,
            (term, name) => index.MatchTerm(scopeId, term, name),
            new DynamicParameters(new { WorldId = scopeId, Cap = (long)limit }),
            cancellationToken
        );
        return new TermCounts((int)entries, matches, generation);
    }

    public async Task<long> GetGenerationAsync(string worldId, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await GenerationAsync(connection, worldId, cancellationToken);
    }

    public async Task<KnowledgeVectors> LoadVectorsAsync(
        string worldId,
        string model,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        // The generation is read first: a write in between makes the cache reload once more, never keep old vectors.
        var generation = await GenerationAsync(connection, worldId, cancellationToken);
        var rows = (
            await connection.QueryAsync<(long Id, byte[] Embedding)>(
                new CommandDefinition(
                    "SELECT id, embedding FROM knowledge_chunks WHERE world_id = @WorldId AND embedding_model = @Model "
                        + "AND embedding IS NOT NULL ORDER BY id",
                    new { WorldId = worldId, Model = model },
                    cancellationToken: cancellationToken
                )
            )
        ).ToArray();
        var dimensions = rows.Length == 0 ? 0 : rows[0].Embedding.Length / sizeof(float);
        var usable = rows.Where(r => r.Embedding.Length == dimensions * sizeof(float)).ToArray();
        var matrix = new float[usable.Length * dimensions];
        for (var i = 0; i < usable.Length; i++)
        {
            Buffer.BlockCopy(
                usable[i].Embedding,
                0,
                matrix,
                i * dimensions * sizeof(float),
                dimensions * sizeof(float)
            );
        }
        return new KnowledgeVectors(generation, usable.Select(r => r.Id).ToArray(), matrix, dimensions);
    }

    public async Task<IReadOnlyList<KnowledgePassage>> GetPassagesAsync(
        string ownerId,
        string worldId,
        IReadOnlyList<long> chunkIds,
        CancellationToken cancellationToken
    )
    {
        if (chunkIds.Count == 0)
        {
            return [];
        }
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(
            long Id,
            string DocumentId,
            string Name,
            long Ordinal,
            string Heading,
            string Text
        )>(
            new CommandDefinition(
                $"""
                SELECT c.id, c.document_id, d.name, c.ordinal, c.heading, c.text
                FROM knowledge_chunks c
                JOIN knowledge_documents d ON d.id = c.document_id AND d.deleted_at IS NULL
                JOIN worlds w ON w.id = c.world_id AND w.deleted_at IS NULL
                WHERE c.owner_id = @OwnerId AND c.world_id = @WorldId AND c.id {provider.Dialect.InList("Ids")}
                """,
                new
                {
                    OwnerId = ownerId,
                    WorldId = worldId,
                    Ids = chunkIds.ToArray(),
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new KnowledgePassage(r.Id, r.DocumentId, r.Name, (int)r.Ordinal, r.Heading, r.Text))
            .ToArray();
    }

    public async Task<IReadOnlyDictionary<string, DocumentIndexState>> GetIndexStatesAsync(
        string ownerId,
        IReadOnlyList<string> documentIds,
        string? model,
        CancellationToken cancellationToken
    )
    {
        if (documentIds.Count == 0)
        {
            return new Dictionary<string, DocumentIndexState>();
        }
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string DocumentId, long Chunks, long Embedded)>(
            new CommandDefinition(
                $"""
                SELECT document_id, COUNT(*),
                       SUM(CASE WHEN embedding_model = @Model THEN 1 ELSE 0 END)
                FROM knowledge_chunks
                WHERE owner_id = @OwnerId AND document_id {provider.Dialect.InList("Ids")}
                GROUP BY document_id
                """,
                new
                {
                    OwnerId = ownerId,
                    Ids = documentIds.ToArray(),
                    Model = model ?? "",
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.ToDictionary(
            r => r.DocumentId,
            r => new DocumentIndexState((int)r.Chunks, (int)r.Embedded, model),
            StringComparer.Ordinal
        );
    }

    public async Task<IReadOnlyList<StaleDocument>> ListStaleAsync(
        string model,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string DocumentId, string OwnerId, string WorldId)>(
            new CommandDefinition(
                """
                SELECT DISTINCT c.document_id, c.owner_id, c.world_id
                FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id AND d.deleted_at IS NULL
                WHERE c.embedding_model IS NULL OR c.embedding_model <> @Model
                ORDER BY c.document_id LIMIT @Limit
                """,
                new { Model = model, Limit = (long)limit },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new StaleDocument(r.DocumentId, r.OwnerId, r.WorldId)).ToArray();
    }

    public async Task<int> PurgeOrphansAsync(CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var purged = 0;
        foreach (var table in (string[])["knowledge_chunks", "knowledge_originals"])
        {
            purged += await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    $"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.id = "
                        + $"{table}.document_id)",
                    cancellationToken: cancellationToken
                )
            );
        }
        return purged;
    }

    private static Task BumpAsync(
        DbConnection connection,
        DbTransaction transaction,
        string worldId,
        CancellationToken cancellationToken
    ) =>
        connection.ExecuteAsync(
            new CommandDefinition(
                BumpGeneration,
                new { WorldId = worldId },
                transaction,
                cancellationToken: cancellationToken
            )
        );

    private static async Task<long> GenerationAsync(
        DbConnection connection,
        string worldId,
        CancellationToken cancellationToken
    ) =>
        await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition(
                "SELECT generation FROM knowledge_generations WHERE world_id = @WorldId",
                new { WorldId = worldId },
                cancellationToken: cancellationToken
            )
        ) ?? 0;
}
