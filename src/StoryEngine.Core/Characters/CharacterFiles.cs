namespace StoryEngine.Core.Characters;

/// <summary>
/// A binary file that came with a character card: the card's own picture, or a CHARX asset. <see cref="Path"/> is
/// the path inside the CHARX zip (what <c>embeded://</c> URIs name), or <see cref="CardImage"/> for the picture a
/// PNG card was drawn on.
/// </summary>
public sealed record CharacterFile(string Path, string MediaType, byte[] Data)
{
    /// <summary>
    /// The path of a PNG card's own picture, named after the V3 URI that means "the PNG itself"
    /// (../shared/specs/character-cards.md §5, <c>ccdefault:</c>). A colon never appears in a CHARX path we accept.
    /// </summary>
    public const string CardImage = "ccdefault:";
}

/// <summary>
/// Files of characters, kept whole so exports can give them back. Callers check the character first (owner, world,
/// not in the trash); the store only keys by owner and character.
/// </summary>
public interface ICharacterFileStore
{
    /// <summary>Replaces every file of the character with <paramref name="files"/>.</summary>
    Task ReplaceAllAsync(
        string ownerId,
        string characterId,
        IReadOnlyList<CharacterFile> files,
        CancellationToken cancellationToken
    );

    /// <summary>Creates or replaces the one file at <paramref name="file"/>'s path.</summary>
    Task PutAsync(string ownerId, string characterId, CharacterFile file, CancellationToken cancellationToken);

    /// <summary>Removes the file at <paramref name="path"/>, if there is one.</summary>
    Task RemoveAsync(string ownerId, string characterId, string path, CancellationToken cancellationToken);

    Task<IReadOnlyList<CharacterFile>> ListAsync(
        string ownerId,
        string characterId,
        CancellationToken cancellationToken
    );

    /// <summary>Removes the files of characters that no longer exist (after the trash purge removed them).</summary>
    Task<int> PurgeOrphansAsync(CancellationToken cancellationToken);
}
