using System.Text.Json;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.State;

/// <summary>
/// The incremental world-state fold (what a turn reads instead of the whole log) against the plain fold of the whole
/// log it replaced, over generated logs full of retries, choices, undos, corrections and late extractions, fed in
/// pages of every size, as <see cref="WorldStateCache"/> does.
/// </summary>
public sealed class StateFoldTests
{
    private const string Adventure = "adv";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(42)]
    public void the_incremental_fold_agrees_with_folding_the_whole_log_after_every_page(int seed)
    {
        var events = GeneratedLog(new Random(seed), turns: 60);
        foreach (var pageSize in new[] { 1, 3, 17, events.Count })
        {
            var fold = new StateFold();
            for (var at = 0; at < events.Count; at += pageSize)
            {
                var upTo = Math.Min(events.Count, at + pageSize);
                fold.Apply(events.Skip(at).Take(pageSize));
                var seen = events.Take(upTo).ToList();
                Assert.Equal(Json(Reference(seen, null)), Json(fold.Current));
            }
            foreach (var atTurn in new int?[] { 0, 5, 30, 59 })
            {
                Assert.Equal(Json(Reference(events, atTurn)), Json(fold.At(atTurn)));
            }
        }
    }

    [Fact]
    public void a_change_for_a_narration_that_is_not_chosen_counts_once_it_is_chosen_again()
    {
        var events = new List<StoryEvent>();
        void Add(IStoryEventPayload p) =>
            events.Add(StoryEvent.Create(Adventure, events.Count + 1, p, "u", DateTimeOffset.UnixEpoch));
        Add(new ActionTaken("t1", 1, "do", "go"));
        Add(new RetryRequested("t1", 1));
        Add(new StateChanged("t1", 0, new StateChange(TimeOfDay: "dusk"))); // the first narration's extraction, late
        var fold = new StateFold();
        fold.Apply(events);
        Assert.Null(fold.Current.TimeOfDay);
        Assert.True(fold.Extracted("t1", 0));

        fold.Apply([StoryEvent.Create(Adventure, 4, new AlternativeChosen("t1", 0), "u", DateTimeOffset.UnixEpoch)]);
        Assert.Equal("dusk", fold.Current.TimeOfDay);
    }

    [Fact]
    public void a_condition_added_by_repeated_extractions_appears_once()
    {
        // Issue 17: extracting the same narration again added "wounded" again, six times over.
        var events = new List<StoryEvent>();
        void Add(IStoryEventPayload p) =>
            events.Add(StoryEvent.Create(Adventure, events.Count + 1, p, "u", DateTimeOffset.UnixEpoch));
        var change = new StateChange(
            NewCharacters: ["Maren"],
            Characters: [new CharacterChange("Maren", AddConditions: ["wounded"], AddItems: ["rope", "Rope"])]
        );
        Add(new ActionTaken("t1", 1, "do", "go"));
        for (var i = 0; i < 6; i++)
        {
            Add(new StateChanged("t1", 0, change));
        }
        var fold = new StateFold();
        fold.Apply(events);
        var maren = fold.Current.CharacterMap["Maren"];
        Assert.Equal(["wounded"], maren.Conditions);
        Assert.Equal(["rope"], maren.Inventory);

        // The same events fed again (pages that overlap) change nothing either.
        fold.Apply(events);
        Assert.Equal(["wounded"], fold.Current.CharacterMap["Maren"].Conditions);
        Assert.Equal(
            Json(StateRules.Apply(WorldState.Empty, change)),
            Json(StateRules.Apply(StateRules.Apply(WorldState.Empty, change), change))
        );
    }

    private static List<StoryEvent> GeneratedLog(Random random, int turns)
    {
        var events = new List<StoryEvent>();
        void Add(IStoryEventPayload p) =>
            events.Add(StoryEvent.Create(Adventure, events.Count + 1, p, "u", DateTimeOffset.UnixEpoch));
        var live = new List<(string Id, int Alternatives)>();
        var pending = new List<(string Id, int Alternative)>(); // extractions that arrive late
        Add(new OpeningWritten("t0", "Fog.", "card"));
        live.Add(("t0", 1));
        var number = 0;
        while (number < turns)
        {
            var roll = random.Next(10);
            if (roll < 5 || live.Count < 2)
            {
                number++;
                var id = "t" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Add(new ActionTaken(id, live.Count, "do", "go"));
                live.Add((id, 1));
                pending.Add((id, 0));
            }
            else if (roll == 5)
            {
                var (id, alternatives) = live[^1];
                Add(new RetryRequested(id, alternatives));
                live[^1] = (id, alternatives + 1);
                pending.Add((id, alternatives));
            }
            else if (roll == 6 && live[^1].Alternatives > 1)
            {
                Add(new AlternativeChosen(live[^1].Id, random.Next(live[^1].Alternatives)));
            }
            else if (roll == 7)
            {
                Add(new TurnUndone(live[^1].Id));
                live.RemoveAt(live.Count - 1);
            }
            else if (roll == 8)
            {
                Add(new StateCorrected(live[^1].Id, new WorldState($"corrected {events.Count}")));
            }
            // Extractions finish in any order, some for narrations no longer chosen or turns undone.
            while (pending.Count > 0 && random.Next(3) > 0)
            {
                var index = random.Next(pending.Count);
                var (turnId, alternative) = pending[index];
                pending.RemoveAt(index);
                Add(
                    random.Next(6) == 0
                        ? new StateExtractionSkipped(turnId, alternative, "invalid twice")
                        : new StateChanged(
                            turnId,
                            alternative,
                            new StateChange(
                                TimeOfDay: random.Next(2) == 0 ? $"hour {events.Count}" : null,
                                NewCharacters: ["Maren"],
                                Characters:
                                [
                                    new CharacterChange(
                                        "Maren",
                                        Location: $"place {events.Count}",
                                        AddItems: [$"item {events.Count}"]
                                    ),
                                ]
                            )
                        )
                );
            }
        }
        return events;
    }

    // The fold as it was written before the incremental one: replay the turns, then apply what counts, in log order.
    private static WorldState Reference(IReadOnlyList<StoryEvent> events, int? atTurn)
    {
        var turns = StoryProjection
            .Replay(
                events.Where(e =>
                    e.Type is not (nameof(StateChanged) or nameof(StateCorrected) or nameof(StateExtractionSkipped))
                )
            )
            .ToDictionary(t => t.TurnId, StringComparer.Ordinal);
        bool Counts(string id) =>
            turns.TryGetValue(id, out var t) && !t.Undone && (atTurn is null || t.Number <= atTurn);
        var state = WorldState.Empty;
        foreach (var e in events)
        {
            if (
                e.Type == nameof(StateChanged)
                && e.Read<StateChanged>() is var c
                && Counts(c.TurnId)
                && turns[c.TurnId].Chosen == c.Alternative
            )
            {
                state = StateRules.Apply(state, c.Change);
            }
            else if (
                e.Type == nameof(StateCorrected)
                && e.Read<StateCorrected>() is var k
                && (k.TurnId is null || Counts(k.TurnId))
            )
            {
                state = k.State;
            }
        }
        return state;
    }

    private static string Json(WorldState state) =>
        JsonSerializer.Serialize(state.Normalized(), StoryEventJson.Options);
}
