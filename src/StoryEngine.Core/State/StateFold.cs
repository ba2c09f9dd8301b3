using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// The world-state projection of one adventure, kept up to date event by event so a turn never re-reads the whole
/// log (<see cref="WorldStateCache"/>). A change counts while its turn is not undone and its narration is the chosen
/// one; changes apply in log order. New changes are applied on top of the state; only an event that can take back a
/// change already counted (an undo, a retry or a choice of another narration of a turn that has changes) folds the
/// kept changes again, in memory.
/// </summary>
public sealed class StateFold : IEventFold
{
    /// <summary>The only event types the fold reads; the narrations' text is never needed.</summary>
    public static readonly IReadOnlyCollection<string> EventTypes =
    [
        nameof(OpeningWritten),
        nameof(ActionTaken),
        nameof(RetryRequested),
        nameof(AlternativeChosen),
        nameof(TurnUndone),
        nameof(StateChanged),
        nameof(StateCorrected),
        nameof(StateExtractionSkipped),
    ];

    private sealed class TurnInfo(int number)
    {
        public int Number { get; } = number;

        public int Chosen { get; set; }

        public bool Undone { get; set; }
    }

    private readonly Dictionary<string, TurnInfo> _turns = new(StringComparer.Ordinal);
    private readonly List<object> _changes = []; // StateChanged and StateCorrected, in log order
    private readonly HashSet<string> _turnsWithChanges = new(StringComparer.Ordinal);
    private readonly HashSet<(string TurnId, int Alternative)> _extracted = [];

    /// <summary>The sequence of the last event applied.</summary>
    public long Sequence { get; private set; }

    /// <summary>The state after everything applied so far.</summary>
    public WorldState Current { get; private set; } = WorldState.Empty;

    /// <summary>Applies events in log order (events of other types are ignored).</summary>
    public void Apply(IEnumerable<StoryEvent> events)
    {
        var refold = false;
        foreach (var e in events)
        {
            if (e.Sequence <= Sequence)
            {
                continue; // already applied (pages that overlap): a change counts once (issue 17)
            }
            Sequence = e.Sequence;
            switch (e.Type)
            {
                case nameof(OpeningWritten):
                    _turns[e.Read<OpeningWritten>().TurnId] = new TurnInfo(0);
                    break;
                case nameof(ActionTaken):
                    var action = e.Read<ActionTaken>();
                    _turns[action.TurnId] = new TurnInfo(action.Number);
                    break;
                case nameof(RetryRequested):
                    var retry = e.Read<RetryRequested>();
                    refold |= Choose(retry.TurnId, retry.Alternative);
                    break;
                case nameof(AlternativeChosen):
                    var chosen = e.Read<AlternativeChosen>();
                    refold |= Choose(chosen.TurnId, chosen.Alternative);
                    break;
                case nameof(TurnUndone):
                    var undone = e.Read<TurnUndone>().TurnId;
                    if (_turns.TryGetValue(undone, out var turn))
                    {
                        turn.Undone = true;
                    }
                    refold |= _turnsWithChanges.Contains(undone);
                    break;
                case nameof(StateChanged):
                    var change = e.Read<StateChanged>();
                    _extracted.Add((change.TurnId, change.Alternative));
                    Add(change, change.TurnId, ref refold);
                    break;
                case nameof(StateCorrected):
                    var correction = e.Read<StateCorrected>();
                    Add(correction, correction.TurnId, ref refold);
                    break;
                case nameof(StateExtractionSkipped):
                    var skipped = e.Read<StateExtractionSkipped>();
                    _extracted.Add((skipped.TurnId, skipped.Alternative));
                    break;
            }
        }
        if (refold)
        {
            Current = Fold(null);
        }
    }

    /// <summary>The state after turn <paramref name="atTurn"/> (after everything when null).</summary>
    public WorldState At(int? atTurn) => atTurn is null ? Current : Fold(atTurn);

    /// <summary>Whether a StateChanged or StateExtractionSkipped for this narration was applied.</summary>
    public bool Extracted(string turnId, int alternative) => _extracted.Contains((turnId, alternative));

    private void Add(object change, string? turnId, ref bool refold)
    {
        _changes.Add(change);
        if (turnId is not null)
        {
            _turnsWithChanges.Add(turnId);
        }
        if (!refold)
        {
            Current = ApplyOne(Current, change, null);
        }
    }

    private bool Choose(string turnId, int alternative)
    {
        if (_turns.TryGetValue(turnId, out var turn))
        {
            turn.Chosen = alternative;
        }
        return _turnsWithChanges.Contains(turnId);
    }

    private WorldState Fold(int? atTurn)
    {
        var state = WorldState.Empty;
        foreach (var change in _changes)
        {
            state = ApplyOne(state, change, atTurn);
        }
        return state;
    }

    private WorldState ApplyOne(WorldState state, object change, int? atTurn) =>
        change switch
        {
            StateChanged c when Counts(c.TurnId, atTurn) is { } turn && turn.Chosen == c.Alternative =>
                StateRules.Apply(state, c.Change),
            StateCorrected c when c.TurnId is null || Counts(c.TurnId, atTurn) is not null => c.State,
            _ => state,
        };

    private TurnInfo? Counts(string turnId, int? atTurn) =>
        _turns.TryGetValue(turnId, out var turn) && !turn.Undone && (atTurn is null || turn.Number <= atTurn)
            ? turn
            : null;
}
