namespace StoryEngine.Core.Lore.Activation;

/// <summary>A lorebook as activation sees it: where it comes from and which stored version, so its index can be
/// cached.</summary>
/// <param name="Id">The world lorebook's id, or the character's id for a character's own book.</param>
/// <param name="Source"><c>world</c> or <c>character</c>.</param>
/// <param name="Version">The stored version; every edit changes it, which is what makes the compiled index safe to
/// cache.</param>
public sealed record LoreBook(string Id, string Source, long Version, Lorebook Book);

/// <summary>
/// One piece of scanned text, one message. <see cref="Depth"/> counts messages back, as SillyTavern does: 1 is the
/// action being taken, 2 the narration before it, 3 the player's message of that turn, and so on; an entry with scan
/// depth N sees the segments of depth 1..N.
/// </summary>
/// <param name="Part"><c>action</c>, <c>player</c> or <c>narration</c>.</param>
public sealed record ScanSegment(int TurnNumber, int Depth, string Part, string Text);

/// <summary>An entry that was in the prompt of an earlier turn; <see cref="Sticky"/> when it was there only because it
/// stuck.</summary>
public sealed record LoreFiredRef(string BookId, int EntryId, bool Sticky);

/// <summary>What fired in one earlier live turn of this branch (its chosen narration), for sticky, cooldown and
/// delay.</summary>
public sealed record LoreHistoryTurn(int TurnNumber, IReadOnlyList<LoreFiredRef> Fired);

/// <summary>Everything one activation needs; nothing here is read from anywhere else, so activation is a pure
/// function.</summary>
/// <param name="AdventureId">Seeds the probability rolls, with <paramref name="TurnNumber"/>: a retry rolls the
/// same.</param>
/// <param name="Segments">Newest first: the action, then each earlier turn's narration and player text.</param>
/// <param name="History">The live turns before this one, newest first, as far back as any timer reaches.</param>
/// <param name="TurnsBefore">How many live turns the story has before this one (at least as far as any delay
/// needs).</param>
/// <param name="Budget">
/// Tokens all lore may use together, across books (SillyTavern's one World Info budget); a book's own token budget
/// can only lower what that book may take.
/// </param>
/// <param name="CountTokens">How the prompt counts tokens, so budgets agree with the context report.</param>
public sealed record LoreActivationRequest(
    string AdventureId,
    int TurnNumber,
    IReadOnlyList<LoreBook> Books,
    IReadOnlyList<ScanSegment> Segments,
    IReadOnlyList<LoreHistoryTurn> History,
    int TurnsBefore,
    int Budget,
    Func<string, int> CountTokens
)
{
    /// <summary>Vectorized entries close in meaning to the player's move, by (book id, entry id), with their cosine
    /// similarity: they fire as if a key had matched in the action (issue 20).</summary>
    public IReadOnlyDictionary<(string BookId, int EntryId), float>? ByMeaning { get; init; }
}
