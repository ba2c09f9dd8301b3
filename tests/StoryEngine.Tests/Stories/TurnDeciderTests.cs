using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.Stories;

/// <summary>The rules of a turn, decided on a state built in memory: no host, no database.</summary>
public sealed class TurnDeciderTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private static readonly TurnRecord Opening = Turn("t0", 0, "opening");
    private static readonly TurnRecord First = Turn("t1", 1, "do", alternatives: 2);

    [Fact]
    public void taking_a_turn_numbers_it_after_the_adventures_turns()
    {
        var decision = TurnDecider.Decide(State(turnCount: 3, newest: First), new TakeTurn("t4", "say", "Hello"));

        Assert.Equal(new ActionTaken("t4", 4, "say", "Hello"), Assert.Single(decision.Events));
        Assert.Equal(("t4", 0), (decision.TurnId, decision.Alternative));
    }

    [Fact]
    public void retry_of_the_newest_turn_asks_for_the_next_alternative()
    {
        var decision = TurnDecider.Decide(State(newest: First, target: First), new RetryTurn("t1"));

        Assert.Equal(new RetryRequested("t1", 2), Assert.Single(decision.Events));
        Assert.Equal(2, decision.Alternative);
    }

    [Fact]
    public void retry_of_an_earlier_turn_the_opening_or_an_undone_turn_is_refused_as_not_newest()
    {
        var second = Turn("t2", 2, "do");
        Assert.Throws<NotNewestTurnException>(() =>
            TurnDecider.Decide(State(newest: second, target: First), new RetryTurn("t1"))
        );
        Assert.Throws<NotNewestTurnException>(() =>
            TurnDecider.Decide(State(newest: Opening, target: Opening), new RetryTurn("t0"))
        );
        var undone = First with { Undone = true };
        Assert.Throws<NotNewestTurnException>(() =>
            TurnDecider.Decide(State(newest: Opening, target: undone), new RetryTurn("t1"))
        );
    }

    [Fact]
    public void a_turn_the_adventure_does_not_have_is_not_found()
    {
        var missing = Assert.Throws<NotFoundException>(() =>
            TurnDecider.Decide(State(newest: First), new RetryTurn("nope"))
        );
        Assert.Equal("turn", missing.Kind);
        Assert.Throws<NotFoundException>(() =>
            TurnDecider.Decide(State(newest: First), new ChooseAlternative("nope", 0))
        );
    }

    [Fact]
    public void choosing_an_alternative_in_range_records_it_and_one_out_of_range_is_a_field_error()
    {
        var decision = TurnDecider.Decide(State(newest: First, target: First), new ChooseAlternative("t1", 1));
        Assert.Equal(new AlternativeChosen("t1", 1), Assert.Single(decision.Events));

        foreach (var wrong in new int?[] { null, -1, 2 })
        {
            var refused = Assert.Throws<ValidationFailedException>(() =>
                TurnDecider.Decide(State(newest: First, target: First), new ChooseAlternative("t1", wrong))
            );
            Assert.Equal(["alternative must be between 0 and 1."], refused.Errors["alternative"]);
        }
    }

    [Fact]
    public void choosing_or_editing_an_undone_turn_is_refused_as_undone()
    {
        var undone = First with { Undone = true };
        Assert.Throws<TurnUndoneException>(() =>
            TurnDecider.Decide(State(newest: Opening, target: undone), new ChooseAlternative("t1", 0))
        );
        Assert.Throws<TurnUndoneException>(() =>
            TurnDecider.Decide(State(newest: Opening, target: undone), new EditTurn("t1", "x", null))
        );
    }

    [Fact]
    public void the_opening_can_have_its_narration_edited_but_has_no_player_text()
    {
        var decision = TurnDecider.Decide(
            State(newest: Opening, target: Opening),
            new EditTurn("t0", null, "A new dawn.")
        );
        Assert.Equal(new TurnEdited("t0", null, "A new dawn."), Assert.Single(decision.Events));

        var refused = Assert.Throws<ValidationFailedException>(() =>
            TurnDecider.Decide(State(newest: Opening, target: Opening), new EditTurn("t0", "I wake", null))
        );
        Assert.True(refused.Errors.ContainsKey("playerText"));
    }

    [Fact]
    public void undo_takes_back_the_newest_standing_turn_but_never_the_opening()
    {
        var undo = TurnDecider.Decide(State(newest: First), new UndoTurn());
        Assert.Equal(new TurnUndone("t1"), Assert.Single(undo.Events));
        Assert.Throws<NothingToUndoException>(() => TurnDecider.Decide(State(newest: Opening), new UndoTurn()));
        Assert.Throws<NothingToUndoException>(() => TurnDecider.Decide(State(newest: null), new UndoTurn()));
    }

    [Fact]
    public void a_fork_point_that_is_not_in_the_adventure_is_a_field_error()
    {
        Assert.Same(First, TurnDecider.ForkPoint(State(newest: First, target: First), "t1"));
        var refused = Assert.Throws<ValidationFailedException>(() =>
            TurnDecider.ForkPoint(State(newest: First), "nope")
        );
        Assert.True(refused.Errors.ContainsKey("atTurnId"));
    }

    [Fact]
    public void refusals_keep_the_codes_clients_switch_on()
    {
        Assert.Equal("turn_in_progress", new TurnInProgressException("a").Code);
        Assert.Equal("no_turn_in_progress", new NoTurnInProgressException().Code);
        Assert.Equal("not_newest_turn", new NotNewestTurnException().Code);
        Assert.Equal("nothing_to_undo", new NothingToUndoException().Code);
        Assert.Equal("turn_undone", new TurnUndoneException("t").Code);
        Assert.Equal("story_conflict", new StoryConflictException("a").Code);
    }

    private static TurnState State(int turnCount = 1, TurnRecord? newest = null, TurnRecord? target = null) =>
        new(
            new Adventure("a1", "owner", "w1", "Title", null, [], null, null, null, 10, turnCount, At, At),
            newest,
            target
        );

    private static TurnRecord Turn(string id, int number, string kind, int alternatives = 1) =>
        new(
            "a1",
            id,
            number,
            kind,
            kind == "opening" ? "" : "I act",
            0,
            Enumerable
                .Range(0, alternatives)
                .Select(i => new NarrationRecord($"Narration {i}", NarrationRecord.Completed))
                .ToArray(),
            false,
            At,
            At
        );
}
