namespace StoryEngine.Core.Adventures;

/// <summary>
/// A chat read from another tool's file (<c>StoryEngine.Formats.Chats.ChatFile</c>): its messages in file order,
/// without the ones left out (<see cref="SkippedMessages"/>, SillyTavern's hidden system messages).
/// </summary>
/// <param name="Format"><c>sillytavern</c> (JSONL) or <c>tavernai</c> (the older JSON array).</param>
public sealed record ImportedChat(
    string Format,
    string? UserName,
    string? CharacterName,
    DateTimeOffset? CreatedAt,
    IReadOnlyList<ImportedMessage> Messages,
    int SkippedMessages
)
{
    /// <summary>Messages one import takes (a long SillyTavern chat has a few thousand).</summary>
    public const int MaxMessages = 10_000;

    /// <summary>Characters one message (or one swipe of it) may have: the length of any long text here.</summary>
    public const int MaxMessageCharacters = Resources.Limits.LongText;
}

/// <summary>
/// One message. <see cref="Alternatives"/> are a character message's swipes (always at least the shown text) and
/// <see cref="Chosen"/> the one shown; a player's message has one. <see cref="Line"/> is where it is in the file.
/// </summary>
public sealed record ImportedMessage(int Line, string Name, bool IsUser, IReadOnlyList<string> Alternatives, int Chosen)
{
    public string Text => Alternatives[Chosen];
}
