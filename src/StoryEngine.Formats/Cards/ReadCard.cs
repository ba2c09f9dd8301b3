using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// A character card read from a file: the character, its own lorebook, the files that came with it (the PNG it
/// was drawn on, CHARX assets), which spec it followed, and what a person should know about the reading.
/// </summary>
public sealed record ReadCard(
    Character Character,
    Lorebook? Lorebook,
    string Spec,
    IReadOnlyList<CharacterFile> Files,
    IReadOnlyList<string> Warnings
);
