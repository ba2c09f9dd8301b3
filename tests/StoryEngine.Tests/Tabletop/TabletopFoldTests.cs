using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Tests.Tabletop;

/// <summary>The table's fold: replaying the log gives the same table, combat runs round by round with conditions that
/// expire, hit points follow the SRD's temporary-hit-point rules, and checks marked in a narration are read.</summary>
public sealed class TabletopFoldTests
{
    private readonly List<StoryEvent> _log = [];

    private void Add(IStoryEventPayload payload) =>
        _log.Add(StoryEvent.Create("a", _log.Count + 1, payload, "owner", DateTimeOffset.UnixEpoch));

    private TabletopState Fold()
    {
        var fold = new TabletopFold();
        fold.Apply(_log);
        return fold.Current;
    }

    private static CharacterSheet Ada =>
        new("Ada", new Dictionary<string, int> { ["dex"] = 16 }, Hp: new HitPoints(9, 9));

    [Fact]
    public void combat_runs_three_rounds_in_initiative_order_and_conditions_count_down_on_their_bearers_turn()
    {
        Add(new OpeningWritten("t0", "Once", "setting"));
        Add(new SheetSaved("t0", Ada, "created"));
        Add(
            new CombatStarted(
                "t0",
                "c1",
                [new("Goblin", 12, 7, 7), new("Ada", 15, 9, 9, 14, false), new("Wolf", 12, 11, 11)]
            )
        );
        Add(new ConditionApplied("t0", "Wolf", "prone", 2));
        Add(new ConditionApplied("t0", "Ada", "poisoned"));
        var state = Fold();
        Assert.Equal(["Ada", "Goblin", "Wolf"], state.Combat!.Order.Select(c => c.Name)); // ties keep their order
        Assert.Equal(["poisoned"], state.Sheets[0].Conditions);
        var turns = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            turns.Add($"{Fold().Combat!.Round}:{Fold().Combat!.Current!.Name}");
            Add(new CombatTurnEnded("t0"));
        }
        Assert.Equal(
            ["1:Ada", "1:Goblin", "1:Wolf", "2:Ada", "2:Goblin", "2:Wolf", "3:Ada", "3:Goblin", "3:Wolf"],
            turns
        );
        state = Fold();
        Assert.Equal(4, state.Combat!.Round);
        Assert.Empty(state.Combat.Order.Single(c => c.Name == "Wolf").Conditions); // two of its turns, then gone
        Assert.Equal("poisoned", state.Combat.Order[0].Conditions.Single().Condition); // until removed

        // Someone joins ahead of the current combatant: the turn stays with who has it.
        Add(new CombatTurnEnded("t0")); // Goblin's turn now
        Add(new CombatantJoined("t0", new Combatant("Bat", 20, 1, 1)));
        Assert.Equal("Goblin", Fold().Combat!.Current!.Name);
        Add(new CombatantLeft("t0", "Goblin"));
        Assert.Equal("Wolf", Fold().Combat!.Current!.Name);
        Add(new CombatEnded("t0"));
        Assert.Null(Fold().Combat);
    }

    [Theory]
    // current, max, temp, delta, grant → current, temp
    [InlineData(9, 9, 0, -4, null, 5, 0)]
    [InlineData(9, 9, 3, -4, null, 8, 0)]
    [InlineData(9, 9, 5, -4, null, 9, 1)]
    [InlineData(2, 9, 0, -10, null, 0, 0)]
    [InlineData(5, 9, 0, 10, null, 9, 0)]
    [InlineData(9, 9, 4, 0, 2, 9, 4)] // temporary hit points do not stack: the higher stays
    [InlineData(9, 9, 1, 0, 5, 9, 5)]
    public void hit_points_follow_the_srd(
        int current,
        int max,
        int temp,
        int delta,
        int? grant,
        int after,
        int afterTemp
    )
    {
        Add(new OpeningWritten("t0", "Once", "setting"));
        Add(new SheetSaved("t0", Ada with { Hp = new HitPoints(current, max, temp) }, "created"));
        Add(new HitPointsChanged("t0", "ada", delta, grant));
        Assert.Equal(new HitPoints(after, max, afterTemp), Fold().Sheets[0].Hp);
    }

    [Fact]
    public void replaying_the_log_in_pieces_gives_the_table_a_single_pass_gives()
    {
        Add(new OpeningWritten("t0", "Once", "setting"));
        Add(new SheetSaved("t0", Ada, "created"));
        Add(new ActionTaken("t1", 1, "do", "I sneak"));
        Add(new DiceRolled("r1", "t1", "narrator", "1d20+5", 17, "1d20+5 = [12] + 5 = 17", [], "Ada", Alternative: 0));
        Add(new RetryRequested("t1", 1));
        Add(new DiceRolled("r2", "t1", "narrator", "1d20+5", 9, "1d20+5 = [4] + 5 = 9", [], "Ada", Alternative: 1));
        Add(new DiceRolled("r3", "t1", "player", "1d4", 3, "1d4 = [3] = 3", []));
        Add(new HitPointsChanged("t1", "Ada", -3));
        var whole = Fold();
        Assert.Equal(["r2", "r3"], whole.Rolls.Select(r => r.RollId));
        var pieces = new TabletopFold();
        foreach (var chunk in _log.Chunk(3))
        {
            pieces.Apply(chunk);
            pieces.Apply(chunk); // a page read twice counts once
        }
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(whole, StoryEventJson.Options),
            System.Text.Json.JsonSerializer.Serialize(pieces.Current, StoryEventJson.Options)
        );

        Add(new AlternativeChosen("t1", 0));
        Assert.Equal(["r1", "r3"], Fold().Rolls.Select(r => r.RollId));
        Add(new TurnUndone("t1"));
        var undone = Fold();
        Assert.Empty(undone.Rolls);
        Assert.Equal(9, undone.Sheets[0].Hp!.Current);
    }

    [Fact]
    public void marked_checks_are_read_from_a_narration()
    {
        var requests = CheckRequests.Read(
            "The guard turns. [[check: Stealth DC 15 | slipping past]] [[ check:wis save dc 12 ]] "
                + "[[check: perception]]",
            "t9",
            1
        );
        Assert.Equal(
            [
                new CheckRequest("t9.1.0", "Stealth", 15, "slipping past"),
                new CheckRequest("t9.1.1", "wis save", 12, null),
                new CheckRequest("t9.1.2", "perception", null, null),
            ],
            requests
        );
        Assert.Equal(
            "The guard turns.",
            CheckRequests.Strip("The guard turns. [[check: Stealth DC 15 | slipping past]]")
        );
    }
}
