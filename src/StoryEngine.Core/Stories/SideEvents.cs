using System.Collections.Frozen;

namespace StoryEngine.Core.Stories;

/// <summary>
/// Events appended beside the story rather than in it: the world state a background job extracted (or skipped) and a
/// player's correction of it, tool calls, evaluations, the director's goals and the tabletop's rolls, sheets and
/// fights. None changes a turn or says which turns exist, and each is appended at whatever turn stands. One list, so
/// the writer (<see cref="StoryWriter"/>) and the transcript cache agree on what a new kind of side event is.
/// </summary>
public static class SideEvents
{
    public static FrozenSet<string> Types { get; } =
        FrozenSet.Create(
            StringComparer.Ordinal,
            nameof(StateChanged),
            nameof(StateExtractionSkipped),
            nameof(StateCorrected),
            nameof(ToolCalled),
            nameof(TurnEvaluated),
            nameof(GoalCreated),
            nameof(GoalUpdated),
            nameof(GoalCompleted),
            nameof(GoalReopened),
            nameof(GoalTaskStarted),
            nameof(GoalTaskDone),
            nameof(PlanRevised),
            nameof(PlanReviewSkipped),
            nameof(DiceRolled),
            nameof(SheetSaved),
            nameof(SheetRemoved),
            nameof(CombatStarted),
            nameof(CombatantJoined),
            nameof(CombatantLeft),
            nameof(CombatTurnEnded),
            nameof(HitPointsChanged),
            nameof(ConditionApplied),
            nameof(ConditionRemoved),
            nameof(CombatEnded),
            nameof(RulesChosen)
        );
}
