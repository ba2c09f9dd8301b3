namespace StoryEngine.Core.Stories;

/// <summary>
/// Folds story events into turns. The live path applies each appended event to the turns it touches; replay
/// applies every event from the start. Both use <see cref="Apply"/>, so they cannot disagree.
/// </summary>
public static class StoryProjection
{
    /// <summary>
    /// The event types <see cref="Apply"/> folds into a turn: every other event leaves every turn as it was, so a
    /// reader
    /// that keeps something per turn (the recall index) reads only these from the log's tail.
    /// </summary>
    public static readonly IReadOnlyCollection<string> TurnEventTypes =
    [
        nameof(OpeningWritten),
        nameof(ActionTaken),
        nameof(RetryRequested),
        nameof(NarrationCompleted),
        nameof(NarrationFailed),
        nameof(NarrationInterrupted),
        nameof(AlternativeChosen),
        nameof(TurnEdited),
        nameof(TurnUndone),
    ];

    /// <summary>The turn after <paramref name="e"/>, or null when the event does not touch a turn.</summary>
    public static TurnRecord? Apply(TurnRecord? turn, StoryEvent e) =>
        e.Type switch
        {
            nameof(OpeningWritten) => Opening(e),
            nameof(ActionTaken) => Action(e),
            nameof(RetryRequested) => Retry(Require(turn, e), e),
            nameof(NarrationCompleted) => Completed(Require(turn, e), e),
            nameof(NarrationFailed) => Failed(Require(turn, e), e),
            nameof(NarrationInterrupted) => Interrupted(Require(turn, e), e),
            nameof(AlternativeChosen) => Require(turn, e) with
            {
                Chosen = e.Read<AlternativeChosen>().Alternative,
                UpdatedAt = e.At,
            },
            nameof(TurnEdited) => Edited(Require(turn, e), e),
            nameof(TurnUndone) => Require(turn, e) with { Undone = true, UpdatedAt = e.At },
            _ => null,
        };

    /// <summary>The id of the turn an event belongs to, or null for adventure-level events.</summary>
    public static string? TurnIdOf(StoryEvent e) =>
        e.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && e.Payload.TryGetProperty("turnId", out var id)
            ? id.GetString()
            : null;

    /// <summary>Every turn, from the whole log, in turn order.</summary>
    public static IReadOnlyList<TurnRecord> Replay(IEnumerable<StoryEvent> events)
    {
        var turns = new Dictionary<string, TurnRecord>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var id = TurnIdOf(e);
            if (id is null)
            {
                continue;
            }
            turns.TryGetValue(id, out var current);
            if (Apply(current, e) is { } next)
            {
                turns[id] = next;
            }
        }
        return turns.Values.OrderBy(t => t.Number).ToArray();
    }

    private static TurnRecord Opening(StoryEvent e)
    {
        var p = e.Read<OpeningWritten>();
        return new TurnRecord(
            e.AdventureId,
            p.TurnId,
            0,
            "opening",
            "",
            0,
            [new NarrationRecord(p.Text, NarrationRecord.Completed, Backend: p.Source)],
            false,
            e.At,
            e.At
        );
    }

    private static TurnRecord Action(StoryEvent e)
    {
        var p = e.Read<ActionTaken>();
        return new TurnRecord(
            e.AdventureId,
            p.TurnId,
            p.Number,
            p.Kind,
            p.Text,
            0,
            [new NarrationRecord("", NarrationRecord.Streaming)],
            false,
            e.At,
            e.At
        );
    }

    private static TurnRecord Retry(TurnRecord turn, StoryEvent e)
    {
        var p = e.Read<RetryRequested>();
        return turn with
        {
            Alternatives = [.. turn.Alternatives, new NarrationRecord("", NarrationRecord.Streaming)],
            Chosen = p.Alternative,
            UpdatedAt = e.At,
        };
    }

    private static TurnRecord Completed(TurnRecord turn, StoryEvent e)
    {
        var p = e.Read<NarrationCompleted>();
        var narration = new NarrationRecord(
            p.Text,
            p.Stopped ? NarrationRecord.Stopped : NarrationRecord.Completed,
            p.Backend,
            p.Model,
            p.Usage,
            p.Timings,
            Context: p.Context
        );
        return Replace(turn, p.Alternative, narration, e);
    }

    private static TurnRecord Failed(TurnRecord turn, StoryEvent e)
    {
        var p = e.Read<NarrationFailed>();
        return Replace(
            turn,
            p.Alternative,
            new NarrationRecord(p.PartialText, NarrationRecord.Failed, ErrorCode: p.Code, Error: p.Message),
            e
        );
    }

    private static TurnRecord Interrupted(TurnRecord turn, StoryEvent e)
    {
        var p = e.Read<NarrationInterrupted>();
        return Replace(
            turn,
            p.Alternative,
            new NarrationRecord(
                p.PartialText,
                NarrationRecord.Interrupted,
                ErrorCode: "interrupted",
                Error: "The server stopped while this narration was streaming; the text that " + "had arrived is kept."
            ),
            e
        );
    }

    private static TurnRecord Edited(TurnRecord turn, StoryEvent e)
    {
        var p = e.Read<TurnEdited>();
        var edited = turn with { PlayerText = p.PlayerText ?? turn.PlayerText, UpdatedAt = e.At };
        return p.Narration is null
            ? edited
            : Replace(edited, turn.Chosen, turn.ChosenNarration with { Text = p.Narration }, e);
    }

    private static TurnRecord Replace(TurnRecord turn, int alternative, NarrationRecord narration, StoryEvent e)
    {
        var alternatives = turn.Alternatives.ToArray();
        alternatives[alternative] = narration;
        return turn with { Alternatives = alternatives, UpdatedAt = e.At };
    }

    private static TurnRecord Require(TurnRecord? turn, StoryEvent e) =>
        turn
        ?? throw new InvalidOperationException(
            $"Event {e.Sequence} ({e.Type}) of adventure {e.AdventureId} " + "names a turn that does not exist."
        );
}
