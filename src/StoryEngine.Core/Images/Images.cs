namespace StoryEngine.Core.Images;

/// <summary>What a picture belongs to. Each thing has at most one picture of its kind.</summary>
public enum PictureKind
{
    /// <summary>A character's avatar (its card's picture when it came from a PNG card).</summary>
    CharacterAvatar,

    /// <summary>A persona's avatar.</summary>
    PersonaAvatar,

    /// <summary>A world's cover.</summary>
    WorldCover,
}

/// <summary>
/// A stored picture: bytes we encoded ourselves (never what was uploaded), their media type and size, and
/// <see cref="Hash"/>, the SHA-256 of the bytes in hex, which is the picture's strong ETag.
/// </summary>
public sealed record StoredImage(
    string MediaType,
    byte[] Data,
    int Width,
    int Height,
    string Hash,
    DateTimeOffset UpdatedAt
);

/// <summary>
/// Pictures of characters, personas and worlds, in the database beside what they belong to
/// (docs/adr/0038-pictures-in-the-database.md). Callers check the thing first (owner, world, not in the trash);
/// the store only keys by owner, kind and id.
/// </summary>
public interface IImageStore
{
    Task<StoredImage?> FindAsync(
        string ownerId,
        PictureKind kind,
        string subjectId,
        CancellationToken cancellationToken
    );

    /// <summary>The hashes of the pictures the given things have; things without one are not in the map.</summary>
    Task<IReadOnlyDictionary<string, string>> HashesAsync(
        string ownerId,
        PictureKind kind,
        IReadOnlyCollection<string> subjectIds,
        CancellationToken cancellationToken
    );

    /// <summary>Creates or replaces the picture.</summary>
    Task PutAsync(
        string ownerId,
        PictureKind kind,
        string subjectId,
        StoredImage image,
        CancellationToken cancellationToken
    );

    /// <summary>False when there was none.</summary>
    Task<bool> DeleteAsync(string ownerId, PictureKind kind, string subjectId, CancellationToken cancellationToken);

    /// <summary>Removes the pictures of things that no longer exist (after the trash purge removed them).</summary>
    Task<int> PurgeOrphansAsync(CancellationToken cancellationToken);
}
