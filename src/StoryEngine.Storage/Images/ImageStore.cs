using Dapper;
using StoryEngine.Core.Images;

namespace StoryEngine.Storage.Images;

/// <summary>
/// Pictures in the <c>images</c> table, one row per thing that has one, keyed by kind and the thing's id. Being rows
/// beside the data they belong to, they go into backups, account exports and erasures with it
/// (docs/adr/0038-pictures-in-the-database.md).
/// </summary>
public sealed class ImageStore(IStorageProvider provider) : IImageStore
{
    public async Task<StoredImage?> FindAsync(
        string ownerId,
        PictureKind kind,
        string subjectId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                "SELECT media_type AS MediaType, data AS Data, width AS Width, height AS Height, hash AS Hash, "
                    + "updated_at AS UpdatedAt FROM images "
                    + "WHERE owner_id = @OwnerId AND kind = @Kind AND subject_id = @SubjectId",
                new
                {
                    OwnerId = ownerId,
                    Kind = Name(kind),
                    SubjectId = subjectId,
                },
                cancellationToken: cancellationToken
            )
        );
        return row is null
            ? null
            : new StoredImage(
                row.MediaType,
                row.Data,
                (int)row.Width,
                (int)row.Height,
                row.Hash,
                DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt)
            );
    }

    public async Task<IReadOnlyDictionary<string, string>> HashesAsync(
        string ownerId,
        PictureKind kind,
        IReadOnlyCollection<string> subjectIds,
        CancellationToken cancellationToken
    )
    {
        if (subjectIds.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string SubjectId, string Hash)>(
            new CommandDefinition(
                "SELECT subject_id, hash FROM images WHERE owner_id = @OwnerId AND kind = @Kind AND subject_id "
                    + provider.Dialect.InList("Ids"),
                new
                {
                    OwnerId = ownerId,
                    Kind = Name(kind),
                    Ids = subjectIds.ToArray(),
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.ToDictionary(r => r.SubjectId, r => r.Hash, StringComparer.Ordinal);
    }

    public async Task PutAsync(
        string ownerId,
        PictureKind kind,
        string subjectId,
        StoredImage image,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO images (kind, subject_id, owner_id, media_type, data, width, height, hash, updated_at) "
                    + "VALUES (@Kind, @SubjectId, @OwnerId, @MediaType, @Data, @Width, @Height, @Hash, @UpdatedAt) "
                    + "ON CONFLICT (kind, subject_id) DO UPDATE SET media_type = excluded.media_type, "
                    + "data = excluded.data, width = excluded.width, height = excluded.height, "
                    + "hash = excluded.hash, updated_at = excluded.updated_at "
                    + "WHERE images.owner_id = excluded.owner_id",
                new
                {
                    Kind = Name(kind),
                    SubjectId = subjectId,
                    OwnerId = ownerId,
                    image.MediaType,
                    image.Data,
                    image.Width,
                    image.Height,
                    image.Hash,
                    UpdatedAt = image.UpdatedAt.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<bool> DeleteAsync(
        string ownerId,
        PictureKind kind,
        string subjectId,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "DELETE FROM images WHERE owner_id = @OwnerId AND kind = @Kind AND subject_id = @SubjectId",
                    new
                    {
                        OwnerId = ownerId,
                        Kind = Name(kind),
                        SubjectId = subjectId,
                    },
                    cancellationToken: cancellationToken
                )
            ) > 0;
    }

    public async Task<int> PurgeOrphansAsync(CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var purged = 0;
        foreach (
            var (kind, table) in new[]
            {
                (PictureKind.CharacterAvatar, "characters"),
                (PictureKind.PersonaAvatar, "personas"),
                (PictureKind.WorldCover, "worlds"),
            }
        )
        {
            purged += await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    $"DELETE FROM images WHERE kind = @Kind AND NOT EXISTS (SELECT 1 FROM {table} t "
                        + "WHERE t.id = images.subject_id)",
                    new { Kind = Name(kind) },
                    cancellationToken: cancellationToken
                )
            );
        }
        return purged;
    }

    /// <summary>The kind as the <c>images.kind</c> column spells it.</summary>
    public static string Name(PictureKind kind) =>
        kind switch
        {
            PictureKind.CharacterAvatar => "character",
            PictureKind.PersonaAvatar => "persona",
            PictureKind.WorldCover => "world",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    private sealed class Row
    {
        public string MediaType { get; init; } = "";
        public byte[] Data { get; init; } = [];
        public long Width { get; init; }
        public long Height { get; init; }
        public string Hash { get; init; } = "";
        public long UpdatedAt { get; init; }
    }
}
