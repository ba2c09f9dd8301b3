using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Stories;

/// <summary>
/// The rules of a turn in one place, as a pure function: from the state loaded once (<see cref="TurnState"/>) and a
/// command to the events that record it, or a typed refusal. No I/O, so the callers' shape is always load, decide,
/// append with the expected version (Marten's command handler, Equinox's decider), and the rules are tested without
/// a database.
/// Whether a narration is in flight is not stream state: the callers ask <c>TurnRegistry</c> before loading.
/// </summary>
public static class TurnDecider
{
    public static TurnDecision Decide(TurnState state, TurnCommand command) =>
        command switch
        {
            TakeTurn take => new(
                [new ActionTaken(take.TurnId, state.Adventure.TurnCount + 1, take.Kind, take.Text), .. take.With],
                take.TurnId,
                0
            ),
            RetryTurn retry => Retry(state, retry),
            ChooseAlternative choose => Choose(state, choose),
            EditTurn edit => Edit(state, edit),
            UndoTurn => Undo(state),
            ChooseGreeting greeting => Greeting(state, greeting),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Not a turn command."),
        };

    /// <summary>The turn a fork's history ends with; a missing one is the request's fault: 400 on the field.</summary>
    public static TurnRecord ForkPoint(TurnState state, string atTurnId) =>
        state.Target is { } at && at.TurnId == atTurnId
            ? at
            : throw ValidationFailedException.For(
                "atTurnId",
                $"No turn with id '{atTurnId}' exists in this adventure."
            );

    /// <summary>The named turn, or 404 when the adventure has none by that id.</summary>
    public static TurnRecord Target(TurnState state, string turnId) =>
        state.Target is { } turn && turn.TurnId == turnId ? turn : throw new NotFoundException("turn", turnId);

    // Only the newest standing turn: an earlier one's later turns were narrated from the narration it has now.
    private static TurnDecision Retry(TurnState state, RetryTurn retry)
    {
        var turn = Target(state, retry.TurnId);
        if (turn.Kind == "opening" || turn.Undone || state.Newest?.TurnId != turn.TurnId)
        {
            throw new NotNewestTurnException();
        }
        var alternative = turn.Alternatives.Count;
        return new([new RetryRequested(turn.TurnId, alternative)], turn.TurnId, alternative);
    }

    private static TurnDecision Choose(TurnState state, ChooseAlternative choose)
    {
        var turn = Standing(state, choose.TurnId);
        if (choose.Alternative is not { } alternative || alternative < 0 || alternative >= turn.Alternatives.Count)
        {
            throw ValidationFailedException.For(
                "alternative",
                $"alternative must be between 0 and {turn.Alternatives.Count - 1}."
            );
        }
        return new([new AlternativeChosen(turn.TurnId, alternative)], turn.TurnId, alternative);
    }

    private static TurnDecision Edit(TurnState state, EditTurn edit)
    {
        var turn = Standing(state, edit.TurnId);
        if (edit.PlayerText is not null && turn.Kind == "opening")
        {
            throw ValidationFailedException.For(
                "playerText",
                "The opening has no player text; edit its narration instead."
            );
        }
        return new([new TurnEdited(turn.TurnId, edit.PlayerText, edit.Narration)], turn.TurnId, turn.Chosen);
    }

    // The opening's alternatives are the character's greetings; once the story has gone on from one, it stays.
    private static TurnDecision Greeting(TurnState state, ChooseGreeting greeting)
    {
        if (state.Newest is not { Kind: "opening" } opening)
        {
            throw new OpeningLockedException();
        }
        if (greeting.Index is not { } index || index < 0 || index >= opening.Alternatives.Count)
        {
            throw ValidationFailedException.For(
                "greetingIndex",
                opening.Alternatives.Count == 1
                    ? "greetingIndex must be 0: this adventure's opening has no other greeting."
                    : $"greetingIndex must be between 0 and {opening.Alternatives.Count - 1}."
            );
        }
        return new([new AlternativeChosen(opening.TurnId, index)], opening.TurnId, index);
    }

    // Never the opening: an adventure always has the scene it began with.
    private static TurnDecision Undo(TurnState state)
    {
        if (state.Newest is not { } last || last.Kind == "opening")
        {
            throw new NothingToUndoException();
        }
        return new([new TurnUndone(last.TurnId)], last.TurnId, last.Chosen);
    }

    private static TurnRecord Standing(TurnState state, string turnId)
    {
        var turn = Target(state, turnId);
        return turn.Undone ? throw new TurnUndoneException(turnId) : turn;
    }
}
