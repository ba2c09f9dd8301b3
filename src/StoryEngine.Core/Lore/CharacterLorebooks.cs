using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Lore;

/// <summary>
/// A character's own lorebook: read, replace (creating it when missing) and remove. The book has its own version,
/// so If-Match protects it apart from the character. The character (and its world) must be live and the caller's.
/// </summary>
public sealed class CharacterLorebooks(
    ResourceService<Character> characters,
    ICharacterLorebookStore store,
    TimeProvider clock
)
{
    public const string Kind = "character lorebook";

    /// <param name="worldScope">The caller and the character's world.</param>
    public async Task<StoredResource<Lorebook>> GetAsync(
        ResourceScope worldScope,
        string characterId,
        CancellationToken cancellationToken
    )
    {
        await characters.GetAsync(worldScope, characterId, cancellationToken);
        return await FindLiveAsync(worldScope, characterId, cancellationToken)
            ?? throw new NotFoundException(Kind, characterId);
    }

    /// <summary>The book, or null when the character has none; for callers that already checked the
    /// character.</summary>
    public async Task<StoredResource<Lorebook>?> FindLiveAsync(
        ResourceScope worldScope,
        string characterId,
        CancellationToken cancellationToken
    ) =>
        await store.GetAsync(BookScope(worldScope, characterId), characterId, cancellationToken)
            is { DeletedAt: null } found
            ? found
            : null;

    /// <summary>Writes the book; <c>Created</c> is true when the character had none.</summary>
    public async Task<(StoredResource<Lorebook> Book, bool Created)> PutAsync(
        ResourceScope worldScope,
        string characterId,
        Lorebook body,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        await characters.GetAsync(worldScope, characterId, cancellationToken);
        var errors = new FieldErrors();
        body.Validate(errors);
        errors.ThrowIfAny();

        var now = clock.GetUtcNow();
        var scope = BookScope(worldScope, characterId);
        var current = await store.GetAsync(scope, characterId, cancellationToken);
        if (current is null)
        {
            if (expectedVersion is not null)
            {
                throw new PreconditionFailedException(Kind, characterId);
            }
            var created = new StoredResource<Lorebook>(
                characterId,
                scope.OwnerId,
                scope.ParentId,
                body,
                1,
                now,
                now,
                null
            );
            await store.InsertAsync(created, cancellationToken);
            return (created, true);
        }
        // A removed book is replaced as if new, but keeps counting versions so old ETags never match again.
        var live = current.DeletedAt is null;
        if (expectedVersion is { } expected && (!live || expected != current.Version))
        {
            throw new PreconditionFailedException(Kind, characterId);
        }
        var next = current with { Body = body, Version = current.Version + 1, UpdatedAt = now, DeletedAt = null };
        if (!await store.UpdateAsync(next, current.Version, cancellationToken))
        {
            throw new PreconditionFailedException(Kind, characterId);
        }
        return (next, !live);
    }

    public async Task DeleteAsync(
        ResourceScope worldScope,
        string characterId,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        var current = await GetAsync(worldScope, characterId, cancellationToken);
        if (expectedVersion is { } expected && expected != current.Version)
        {
            throw new PreconditionFailedException(Kind, characterId);
        }
        var now = clock.GetUtcNow();
        if (
            !await store.UpdateAsync(
                current with
                {
                    Version = current.Version + 1,
                    UpdatedAt = now,
                    DeletedAt = now,
                },
                current.Version,
                cancellationToken
            )
        )
        {
            throw new PreconditionFailedException(Kind, characterId);
        }
    }

    private static ResourceScope BookScope(ResourceScope worldScope, string characterId) =>
        new(worldScope.OwnerId, characterId);
}
