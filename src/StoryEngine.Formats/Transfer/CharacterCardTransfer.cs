using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Images;

namespace StoryEngine.Formats.Transfer;

/// <summary>What an import created, and what a person should know about how the file was read.</summary>
public sealed record ImportedCharacter(
    StoredResource<Character> Character,
    StoredResource<Lorebook>? Lorebook,
    string Spec,
    IReadOnlyList<string> Warnings
);

/// <summary>
/// Imports character cards into a world (the character, its own lorebook, the files that came with it) and exports
/// them again, for the API and the CLI alike. Everything is checked before anything is written.
/// </summary>
public sealed class CharacterCardTransfer(
    ResourceService<Character> characters,
    CharacterLorebooks books,
    ICharacterFileStore files,
    PictureService pictures
)
{
    public async Task<ImportedCharacter> ImportAsync(
        ResourceScope world,
        ReadOnlyMemory<byte> file,
        CancellationToken cancellationToken
    )
    {
        var card = CardFile.Read(file);
        Validate(card);

        var created = await characters.CreateAsync(world, card.Character, cancellationToken);
        try
        {
            StoredResource<Lorebook>? book = null;
            if (card.Lorebook is not null)
            {
                book = (await books.PutAsync(world, created.Id, card.Lorebook, null, cancellationToken)).Book;
            }
            if (card.Files.Count > 0)
            {
                await files.ReplaceAllAsync(world.OwnerId, created.Id, card.Files, cancellationToken);
            }
            var warnings = card.Warnings.ToList();
            // The card's picture becomes the avatar (issues 17, 18); a PNG card's own bytes stay in its files.
            if (CardFile.Picture(card.Character, card.Files) is { } picture)
            {
                var warning = await pictures.SetFromCardAsync(world.OwnerId, created.Id, picture, cancellationToken);
                if (warning is not null)
                {
                    warnings.Add(warning);
                }
            }
            return new ImportedCharacter(created, book, card.Spec, warnings);
        }
        catch (Exception)
        {
            // Half an import is worse than none: the character goes to the trash, the caller sees the failure.
            await characters.DeleteAsync(world, created.Id, null, CancellationToken.None);
            throw;
        }
    }

    public async Task<ExportedFile> ExportAsync(
        ResourceScope world,
        string characterId,
        CardFormat format,
        CancellationToken cancellationToken
    )
    {
        var character = await characters.GetAsync(world, characterId, cancellationToken);
        var book = await books.FindLiveAsync(world, characterId, cancellationToken);
        var stored =
            format == CardFormat.Json ? [] : await files.ListAsync(world.OwnerId, characterId, cancellationToken);
        var content = CardFile.Write(format, character.Body, book?.Body, stored);
        return new ExportedFile(
            content,
            CardFormats.MediaType(format),
            ExportedFile.SafeName(character.Body.Name, CardFormats.Extension(format), "character")
        );
    }

    /// <summary>The character's and its book's own rules, before either is written; book fields are named
    /// <c>lorebook.…</c>.</summary>
    private static void Validate(ReadCard card)
    {
        var errors = new FieldErrors();
        card.Character.Validate(errors);
        errors.ThrowIfAny();
        if (card.Lorebook is null)
        {
            return;
        }
        try
        {
            var bookErrors = new FieldErrors();
            card.Lorebook.Validate(bookErrors);
            bookErrors.ThrowIfAny();
        }
        catch (ValidationFailedException e)
        {
            throw new ValidationFailedException(
                e.Errors.ToDictionary(f => "lorebook." + f.Key, f => f.Value, StringComparer.Ordinal)
            );
        }
    }
}
