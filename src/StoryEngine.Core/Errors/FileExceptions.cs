namespace StoryEngine.Core.Errors;

/// <summary>
/// An uploaded or imported file is broken or not what it claims to be (a truncated PNG, broken base64, a zip
/// bomb). <see cref="StoryEngineException.Code"/> says which kind of file: <c>invalid_card</c>,
/// <c>invalid_lorebook</c>, <c>invalid_chat</c>, <c>invalid_preset</c>, <c>invalid_document</c> (a world document)
/// or <c>invalid_image</c> (a picture that starts like a PNG, JPEG, WebP or GIF but cannot be decoded).
/// <see cref="Line"/>, when known, is the 1-based line (or JSON array element) at fault.
/// </summary>
public sealed class InvalidFileException(string code, string message) : StoryEngineException(code, message)
{
    public int? Line { get; init; }

    public static InvalidFileException Card(string message) => new("invalid_card", message);

    public static InvalidFileException Lorebook(string message) => new("invalid_lorebook", message);

    public static InvalidFileException Document(string message) => new("invalid_document", message);

    public static InvalidFileException Chat(string message, int? line = null) =>
        new("invalid_chat", message) { Line = line };
}

/// <summary>
/// An archive entry's name is not a plain relative path (<c>../x</c>, <c>/x</c>, <c>C:\x</c>, <c>a\b</c>): refused
/// whole, so the name never reaches storage or an export a user unzips (issue 15). <see cref="Entry"/> names it.
/// </summary>
public sealed class UnsafeArchiveEntryException(string entry, string message)
    : StoryEngineException("unsafe_archive_entry", message)
{
    public string Entry { get; } = entry;
}

/// <summary>The file is of a kind we do not read (a GIF, an Agnai memory book), or an export format we do not
/// write.</summary>
public sealed class UnsupportedFormatException(string message) : StoryEngineException("unsupported_format", message);

/// <summary>The upload is larger than its route accepts.</summary>
public sealed class PayloadTooLargeException(string message) : StoryEngineException("payload_too_large", message);

/// <summary>
/// An imported chat is readable but beyond what one import takes (too many messages, a message too long): 422.
/// </summary>
public sealed class ChatTooLongException(string message) : StoryEngineException("chat_too_long", message);

/// <summary>
/// A world document is readable but holds more text than one document takes (Knowledge:MaxDocumentCharacters): 422,
/// the detail naming the limit.
/// </summary>
public sealed class DocumentTooLongException(string message) : StoryEngineException("document_too_long", message);
