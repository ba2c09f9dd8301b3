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
    IReadOnlyList<LoreHistoryTurn> History)
{
    /// <summary>The activation request for <paramref name="action"/>: the action is depth 1, the turn before it depth 2, and so on.</summary>
    public LoreActivationRequest ToRequest(PlayerAction action, int defaultBookBudget, Func<string, int> countTokens)
    {
        var segments = new List<ScanSegment>(RecentTurns.Count * 2 + 1) { new(TurnNumber, 1, "action", action.Text) };
        for (var k = 0; k < RecentTurns.Count; k++)
        {
            var turn = RecentTurns[k];
            // Newest first within a turn too: the narration came after the player's move.
            segments.Add(new ScanSegment(turn.Number, k + 2, "narration", turn.ChosenNarration.Text));
            if (turn.Kind != "opening")
            {
                segments.Add(new ScanSegment(turn.Number, k + 2, "player", turn.PlayerText));
            }
        }
        return new LoreActivationRequest(AdventureId, TurnNumber, Books, segments, History, RecentTurns.Count, defaultBookBudget, countTokens);
    }
}
