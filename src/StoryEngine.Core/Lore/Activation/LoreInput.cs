using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// The lore side of one narration's input: the adventure's books (its world's and its characters'), the live turns
/// before this one as far back as any entry looks, and what fired in each of them.
/// </summary>
/// <param name="RecentTurns">Live turns before this one, newest first.</param>
/// <param name="History">For each of <paramref name="RecentTurns"/>, what its chosen narration's prompt held.</param>
public sealed record LoreInput(
    string AdventureId,
    int TurnNumber,
    IReadOnlyList<LoreBook> Books,
    IReadOnlyList<TurnRecord> RecentTurns,
    IReadOnlyList<LoreHistoryTurn> History
)
{
    /// <summary>Vectorized entries close in meaning to the move (<see
    /// cref="LoreActivationRequest.ByMeaning"/>).</summary>
    public IReadOnlyDictionary<(string BookId, int EntryId), float>? ByMeaning { get; init; }

    /// <summary>
    /// The activation request for <paramref name="action"/>. Depth counts messages, as SillyTavern's scan depth does
    /// (<c>WorldInfoBuffer.get</c> slices the chat newest first): the action is 1, the narration before it 2, that
    /// turn's player message 3, and so on; the opening is one message.
    /// </summary>
    /// <param name="budget">Tokens all lore may use (<see cref="LoreOptions.BudgetPercent"/> of the prompt).</param>
    public LoreActivationRequest ToRequest(PlayerAction action, int budget, Func<string, int> countTokens)
    {
        var segments = new List<ScanSegment>(RecentTurns.Count * 2 + 1) { new(TurnNumber, 1, "action", action.Text) };
        var depth = 1;
        foreach (var turn in RecentTurns)
        {
            // Newest first within a turn too: the narration came after the player's move.
            segments.Add(new ScanSegment(turn.Number, ++depth, "narration", turn.ChosenNarration.Text));
            if (turn.Kind != "opening")
            {
                segments.Add(new ScanSegment(turn.Number, ++depth, "player", turn.PlayerText));
            }
        }
        return new LoreActivationRequest(
            AdventureId,
            TurnNumber,
            Books,
            segments,
            History,
            RecentTurns.Count,
            budget,
            countTokens
        )
        {
            ByMeaning = ByMeaning,
        };
    }
}
