namespace StoryEngine.Core.Stories;

/// <summary>
/// The volatile block exactly as one narration was sent it (triggered lore, recalled memories, world state). It stays
/// with its turn in every later prompt, just before that turn's action, so each prompt begins with the whole of the
/// one before and a backend's prompt cache keeps working; later volatile blocks carry only what the kept transcript
/// does not already show (docs/adr/0029-volatile-context-stays-with-its-turn.md).
/// </summary>
/// <param name="Text">The user message as sent, character for character.</param>
/// <param name="State">
/// The world-state lines it showed, by subject (<c>time</c>, <c>character:NAME</c>, <c>quest:NAME</c>), so a later
/// turn sends only the lines that changed since.
/// </param>
/// <param name="Lore">A fingerprint of each lore entry's text it sent (<see cref="Fingerprint"/>), so a later turn can
/// tell in one lookup that an entry is already shown.</param>
/// <param name="TranscriptFrom">
/// The first turn of the transcript the narration was sent with, when older turns were left out (null: none were).
/// The next prompt starts its transcript there until it outgrows its budget, so the start is read from the story and
/// not from memory (issue 19, docs/adr/0041-transcript-trimmed-in-blocks.md). A block with only this has empty text.
/// </param>
public sealed record CarriedContext(
    string Text,
    IReadOnlyDictionary<string, string>? State = null,
    IReadOnlyList<string>? Lore = null,
    int? TranscriptFrom = null
)
{
    /// <summary>The first 16 bytes of the SHA-256 of the text, in hex: an edited entry has a new one.</summary>
    public static string Fingerprint(string text) =>
        Convert.ToHexString(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan(0, 16)
        );
}
