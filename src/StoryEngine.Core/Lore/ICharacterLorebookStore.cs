using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Lore;

/// <summary>
/// Storage for characters' own lorebooks (a card's embedded <c>character_book</c>), apart from world lorebooks.
/// A character has at most one: its scope is (owner, character id) and its id is the character's id. Rows are only
/// visible while their character is live, so a character in the trash takes its book with it.
/// </summary>
public interface ICharacterLorebookStore : IResourceStore<Lorebook>;
