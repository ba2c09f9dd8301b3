using System.Security.Cryptography;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Images;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Formats.Images;

/// <summary>Whose picture: the kind, the scope of the thing it belongs to, and the thing's id.</summary>
public readonly record struct PictureTarget(PictureKind Kind, ResourceScope Scope, string Id)
{
    public static PictureTarget CharacterAvatar(string ownerId, string worldId, string id) =>
        new(PictureKind.CharacterAvatar, new ResourceScope(ownerId, worldId), id);

    public static PictureTarget PersonaAvatar(string ownerId, string id) =>
        new(PictureKind.PersonaAvatar, new ResourceScope(ownerId, null), id);

    public static PictureTarget WorldCover(string ownerId, string id) =>
        new(PictureKind.WorldCover, new ResourceScope(ownerId, null), id);

    /// <summary>"avatar" or "cover", as people call it.</summary>
    public string Noun => Kind == PictureKind.WorldCover ? "cover" : "avatar";
}

/// <summary>
/// Avatars and covers: read, replaced and removed with the same access rules as the thing they belong to (a thing in
/// the trash, or someone else's, has no picture anyone can see). A change gives that thing a new version, so its
/// ETag and <c>avatarUrl</c>/<c>coverUrl</c> move with the picture. A character's picture is also the one its PNG card
/// export is drawn on (<see cref="CharacterFile.CardImage"/>).
/// </summary>
public sealed class PictureService(
    ResourceService<Character> characters,
    ResourceService<Persona> personas,
    ResourceService<World> worlds,
    IImageStore images,
    ICharacterFileStore files,
    ImageOptions options,
    TimeProvider clock
)
{
    public ImageOptions Options => options;

    /// <exception cref="NotFoundException">The thing does not exist for this owner, or has no picture.</exception>
    public async Task<StoredImage> GetAsync(PictureTarget target, CancellationToken cancellationToken)
    {
        await EnsureLiveAsync(target, cancellationToken);
        return await images.FindAsync(target.Scope.OwnerId, target.Kind, target.Id, cancellationToken)
            ?? throw NoPicture(target);
    }

    /// <summary>Checks, shrinks and re-encodes <paramref name="upload"/>, then stores it as the picture.</summary>
    public async Task<StoredImage> PutAsync(
        PictureTarget target,
        ReadOnlyMemory<byte> upload,
        CancellationToken cancellationToken
    )
    {
        if (upload.Length > options.MaxUploadBytes)
        {
            throw TooLarge(options.MaxUploadBytes);
        }
        await EnsureLiveAsync(target, cancellationToken);
        var picture = PictureFile.Normalize(upload.Span, options.MaxSide);
        var stored = ToStored(picture);
        await images.PutAsync(target.Scope.OwnerId, target.Kind, target.Id, stored, cancellationToken);
        if (target.Kind == PictureKind.CharacterAvatar)
        {
            // The new picture is the character's: a PNG card export is drawn on it from now on.
            await files.PutAsync(
                target.Scope.OwnerId,
                target.Id,
                new CharacterFile(CharacterFile.CardImage, "image/png", PictureFile.ToPng(picture.Data)),
                cancellationToken
            );
        }
        await TouchAsync(target, cancellationToken);
        return stored;
    }

    /// <exception cref="NotFoundException">The thing does not exist for this owner, or has no picture.</exception>
    public async Task DeleteAsync(PictureTarget target, CancellationToken cancellationToken)
    {
        await EnsureLiveAsync(target, cancellationToken);
        if (!await images.DeleteAsync(target.Scope.OwnerId, target.Kind, target.Id, cancellationToken))
        {
            throw NoPicture(target);
        }
        if (target.Kind == PictureKind.CharacterAvatar)
        {
            await files.RemoveAsync(target.Scope.OwnerId, target.Id, CharacterFile.CardImage, cancellationToken);
        }
        await TouchAsync(target, cancellationToken);
    }

    /// <summary>The hashes of the pictures of <paramref name="ids"/> (all of one owner and kind).</summary>
    public Task<IReadOnlyDictionary<string, string>> HashesAsync(
        string ownerId,
        PictureKind kind,
        IReadOnlyCollection<string> ids,
        CancellationToken cancellationToken
    ) => images.HashesAsync(ownerId, kind, ids, cancellationToken);

    /// <summary>
    /// The avatar of a character just imported from a card: its picture shrunk and re-encoded like an upload (the
    /// card's own bytes stay in the character's files, so the card still exports losslessly). A picture that cannot
    /// be decoded leaves the character without an avatar and says so in a warning; the import itself stands.
    /// </summary>
    public async Task<string?> SetFromCardAsync(
        string ownerId,
        string characterId,
        byte[] picture,
        CancellationToken cancellationToken
    )
    {
        Picture normalized;
        try
        {
            normalized = PictureFile.Normalize(picture, options.MaxSide);
        }
        catch (StoryEngineException e) when (e is InvalidFileException or UnsupportedFormatException)
        {
            return $"The card's picture was not kept as the avatar: {e.Message}";
        }
        await images.PutAsync(
            ownerId,
            PictureKind.CharacterAvatar,
            characterId,
            ToStored(normalized),
            cancellationToken
        );
        return null;
    }

    public static PayloadTooLargeException TooLarge(long limit) =>
        new(
            $"Pictures are limited to {Describe(limit)}. Send a smaller file: it is shrunk to a few hundred pixels "
                + "a side anyway."
        );

    /// <summary>A byte count as people read limits: "8 MiB", "512 KiB".</summary>
    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB"
        : bytes % 1024 == 0 ? $"{bytes / 1024} KiB"
        : $"{bytes} bytes";

    private StoredImage ToStored(Picture picture) =>
        new(
            picture.MediaType,
            picture.Data,
            picture.Width,
            picture.Height,
            Convert.ToHexStringLower(SHA256.HashData(picture.Data)),
            clock.GetUtcNow()
        );

    private Task EnsureLiveAsync(PictureTarget target, CancellationToken cancellationToken) =>
        target.Kind switch
        {
            PictureKind.CharacterAvatar => (Task)characters.GetAsync(target.Scope, target.Id, cancellationToken),
            PictureKind.PersonaAvatar => (Task)personas.GetAsync(target.Scope, target.Id, cancellationToken),
            _ => (Task)worlds.GetAsync(target.Scope, target.Id, cancellationToken),
        };

    private Task TouchAsync(PictureTarget target, CancellationToken cancellationToken) =>
        target.Kind switch
        {
            PictureKind.CharacterAvatar => (Task)characters.TouchAsync(target.Scope, target.Id, cancellationToken),
            PictureKind.PersonaAvatar => (Task)personas.TouchAsync(target.Scope, target.Id, cancellationToken),
            _ => (Task)worlds.TouchAsync(target.Scope, target.Id, cancellationToken),
        };

    private static NotFoundException NoPicture(PictureTarget target) =>
        new(
            target.Noun,
            target.Id,
            target.Kind switch
            {
                PictureKind.CharacterAvatar => $"The character '{target.Id}' has no avatar.",
                PictureKind.PersonaAvatar => $"The persona '{target.Id}' has no avatar.",
                _ => $"The world '{target.Id}' has no cover.",
            }
        );
}
