using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Core.Tabletop;

/// <summary>
/// Folds an adventure's tabletop events into a <see cref="TabletopState"/>, in log order. Like the world state
/// (StateFold), an event counts while its turn stands, and a narrator's roll only while its narration is the chosen
/// one; an undo or a change of narration folds the kept events again. Pure: the same events give the same table.
/// </summary>
public sealed class TabletopFold
{
    /// <summary>The event types the fold reads.</summary>
    public static readonly IReadOnlyCollection<string> EventTypes =
    [
        nameof(OpeningWritten),
        nameof(ActionTaken),
        nameof(RetryRequested),
        nameof(AlternativeChosen),
        nameof(TurnUndone),
        .. TabletopTypes,
    ];

    /// <summary>The tabletop events themselves (position-free: they never make a player's write stale).</summary>
    public static IReadOnlyCollection<string> TabletopTypes =>
        [
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
            nameof(RulesChosen),
        ];

    private sealed class TurnInfo
    {
        public int Chosen { get; set; }

        public bool Undone { get; set; }
    }

    private readonly Dictionary<string, TurnInfo> _turns = new(StringComparer.Ordinal);
    private readonly List<string> _turnOrder = [];
    private readonly List<(string TurnId, IStoryEventPayload Payload)> _events = [];
    private readonly HashSet<string> _turnsWithEvents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _turnsWithNarratorRolls = new(StringComparer.Ordinal);
    private Table _table = new();
    private bool _refold;
    private TabletopState? _current;

    public long Sequence { get; private set; }

    /// <summary>The table now. New events are applied on top of it one by one; only an undo, or a change of the
    /// chosen narration of a turn whose narrator rolled, folds the kept events again (as the world state's fold
    /// does), so a long adventure's turn costs the same as a short one's.</summary>
    public TabletopState Current
    {
        get
        {
            if (_refold)
            {
                _table = new Table();
                foreach (var (turnId, payload) in _events.Where(e => Counts(e.TurnId, e.Payload)))
                {
                    _table.Apply(payload);
                }
                _refold = false;
                _current = null;
            }
            return _current ??= _table.State();
        }
    }

    /// <summary>The newest turn that stands: the one a roll or a change made now belongs to.</summary>
    public string? NewestTurnId => _turnOrder.LastOrDefault(t => !_turns[t].Undone);

    /// <summary>The narration chosen for a turn (0 when unknown).</summary>
    public int ChosenOf(string turnId) => _turns.TryGetValue(turnId, out var turn) ? turn.Chosen : 0;

    public void Apply(IEnumerable<StoryEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Sequence <= Sequence)
            {
                continue;
            }
            Sequence = e.Sequence;
            switch (e.Type)
            {
                case nameof(OpeningWritten):
                    var opening = e.Read<OpeningWritten>().TurnId;
                    _turns[opening] = new TurnInfo();
                    _turnOrder.Add(opening);
                    break;
                case nameof(ActionTaken):
                    var action = e.Read<ActionTaken>().TurnId;
                    _turns[action] = new TurnInfo();
                    _turnOrder.Add(action);
                    break;
                case nameof(RetryRequested):
                    var retry = e.Read<RetryRequested>();
                    Choose(retry.TurnId, retry.Alternative);
                    break;
                case nameof(AlternativeChosen):
                    var chosen = e.Read<AlternativeChosen>();
                    Choose(chosen.TurnId, chosen.Alternative);
                    break;
                case nameof(TurnUndone):
                    if (_turns.TryGetValue(e.Read<TurnUndone>().TurnId, out var undone))
                    {
                        undone.Undone = true;
                        _refold |= _turnsWithEvents.Contains(e.Read<TurnUndone>().TurnId);
                    }
                    break;
                default:
                    if (Read(e) is { } payload)
                    {
                        var turnId = Stories.StoryProjection.TurnIdOf(e) ?? "";
                        _events.Add((turnId, payload));
                        _turnsWithEvents.Add(turnId);
                        if (payload is DiceRolled { Alternative: not null })
                        {
                            _turnsWithNarratorRolls.Add(turnId);
                        }
                        if (!_refold && Counts(turnId, payload))
                        {
                            _table.Apply(payload);
                            _current = null;
                        }
                    }
                    break;
            }
        }
    }

    private static IStoryEventPayload? Read(StoryEvent e) =>
        e.Type switch
        {
            nameof(DiceRolled) => e.Read<DiceRolled>(),
            nameof(SheetSaved) => e.Read<SheetSaved>(),
            nameof(SheetRemoved) => e.Read<SheetRemoved>(),
            nameof(CombatStarted) => e.Read<CombatStarted>(),
            nameof(CombatantJoined) => e.Read<CombatantJoined>(),
            nameof(CombatantLeft) => e.Read<CombatantLeft>(),
            nameof(CombatTurnEnded) => e.Read<CombatTurnEnded>(),
            nameof(HitPointsChanged) => e.Read<HitPointsChanged>(),
            nameof(ConditionApplied) => e.Read<ConditionApplied>(),
            nameof(ConditionRemoved) => e.Read<ConditionRemoved>(),
            nameof(CombatEnded) => e.Read<CombatEnded>(),
            nameof(RulesChosen) => e.Read<RulesChosen>(),
            _ => null,
        };

    private void Choose(string turnId, int alternative)
    {
        if (_turns.TryGetValue(turnId, out var turn))
        {
            turn.Chosen = alternative;
            _refold |= _turnsWithNarratorRolls.Contains(turnId);
        }
    }

    private bool Counts(string turnId, IStoryEventPayload payload) =>
        _turns.TryGetValue(turnId, out var turn)
        && !turn.Undone
        && (payload is not DiceRolled { Alternative: { } alternative } || alternative == turn.Chosen);

    /// <summary>The mutable table one fold builds.</summary>
    private sealed class Table
    {
        private readonly List<CharacterSheet> _sheets = [];
        private System.Collections.Immutable.ImmutableList<DiceRolled> _rolls = [];
        private CombatState? _combat;
        private string? _system;

        // The rolls are an immutable list, so a state is a snapshot without copying a long game's rolls.
        public TabletopState State() => new([.. _sheets], _combat, _rolls) { System = _system };

        public void Apply(IStoryEventPayload payload)
        {
            switch (payload)
            {
                case DiceRolled roll:
                    _rolls = _rolls.Add(roll);
                    break;
                case SheetSaved saved:
                    var at = IndexOf(saved.Sheet.Name);
                    if (at >= 0)
                    {
                        _sheets[at] = saved.Sheet;
                    }
                    else
                    {
                        _sheets.Add(saved.Sheet);
                    }
                    break;
                case SheetRemoved removed:
                    if (IndexOf(removed.Name) is var i and >= 0)
                    {
                        _sheets.RemoveAt(i);
                    }
                    break;
                case CombatStarted started:
                    _combat = new CombatState(
                        started.CombatId,
                        1,
                        0,
                        [.. started.Combatants.OrderByDescending(c => c.Initiative).Select(Enter)]
                    );
                    break;
                case CombatantJoined joined when _combat is { } c:
                    var order = c.Order.ToList();
                    var place = order.FindIndex(o => o.Initiative < joined.Combatant.Initiative);
                    place = place < 0 ? order.Count : place;
                    order.Insert(place, Enter(joined.Combatant));
                    _combat = c with
                    {
                        Order = order,
                        TurnIndex = place <= c.TurnIndex ? c.TurnIndex + 1 : c.TurnIndex,
                    };
                    break;
                case CombatantLeft left when _combat is { } c:
                    var gone = FindCombatant(left.Name);
                    if (gone >= 0)
                    {
                        var rest = c.Order.Where((_, k) => k != gone).ToList();
                        var turn = gone < c.TurnIndex ? c.TurnIndex - 1 : c.TurnIndex;
                        _combat = c with { Order = rest, TurnIndex = rest.Count == 0 ? 0 : turn % rest.Count };
                    }
                    break;
                case CombatTurnEnded when _combat is { Order.Count: > 0 } c:
                    EndTurn(c);
                    break;
                case HitPointsChanged hp:
                    ChangeHp(hp);
                    break;
                case ConditionApplied applied:
                    UpdateCombatant(applied.Name, x =>
                        x with
                        {
                            Conditions =
                            [
                                .. x.Conditions.Where(t => !Same(t.Condition, applied.Condition)),
                                new TimedCondition(applied.Condition, applied.Rounds),
                            ],
                        }
                    );
                    UpdateSheet(applied.Name, s =>
                        s with
                        {
                            Conditions =
                            [
                                .. (s.Conditions ?? []).Where(x => !Same(x, applied.Condition)),
                                applied.Condition,
                            ],
                        }
                    );
                    break;
                case ConditionRemoved removed:
                    RemoveCondition(removed.Name, removed.Condition);
                    break;
                case CombatEnded:
                    _combat = null;
                    break;
                case RulesChosen rules:
                    _system = rules.System;
                    break;
            }
        }

        private void EndTurn(CombatState c)
        {
            var actor = c.Order[c.TurnIndex];
            var expired = actor.Conditions.Where(t => t.RoundsLeft is 1).Select(t => t.Condition).ToArray();
            var order = c.Order.ToList();
            order[c.TurnIndex] = actor with
            {
                Conditions =
                [
                    .. actor
                        .Conditions.Where(t => t.RoundsLeft is not 1)
                        .Select(t => t.RoundsLeft is { } n ? t with { RoundsLeft = n - 1 } : t),
                ],
            };
            var next = c.TurnIndex + 1;
            _combat =
                next >= order.Count
                    ? c with
                    {
                        Order = order,
                        TurnIndex = 0,
                        Round = c.Round + 1,
                    }
                    : c with
                    {
                        Order = order,
                        TurnIndex = next,
                    };
            foreach (var condition in expired)
            {
                UpdateSheet(actor.Name, s =>
                    s with
                    {
                        Conditions = [.. (s.Conditions ?? []).Where(x => !Same(x, condition))],
                    }
                );
            }
        }

        private void ChangeHp(HitPointsChanged hp)
        {
            UpdateCombatant(hp.Name, x =>
            {
                var (current, temp) = Hit(x.Hp, x.MaxHp, x.TempHp, hp.Delta, hp.TempHp);
                return x with { Hp = current, TempHp = temp };
            });
            UpdateSheet(hp.Name, s =>
            {
                if (s.Hp is not { } h)
                {
                    return s;
                }
                var (current, temp) = Hit(h.Current, h.Max, h.Temp, hp.Delta, hp.TempHp);
                return s with { Hp = new HitPoints(current, h.Max, temp) };
            });
        }

        /// <summary>SRD: damage comes off temporary hit points first; healing never passes the maximum; temporary hit
        /// points do not stack (the higher is kept).</summary>
        public static (int Current, int Temp) Hit(int current, int max, int temp, int delta, int? grant)
        {
            if (grant is { } g)
            {
                temp = Math.Max(temp, g);
            }
            if (delta < 0)
            {
                var soaked = Math.Min(temp, -delta);
                temp -= soaked;
                current = Math.Max(0, current + delta + soaked);
            }
            else
            {
                current = Math.Min(max, current + delta);
            }
            return (current, temp);
        }

        private void RemoveCondition(string name, string condition)
        {
            UpdateCombatant(name, x =>
                x with
                {
                    Conditions = [.. x.Conditions.Where(t => !Same(t.Condition, condition))],
                }
            );
            UpdateSheet(name, s => s with { Conditions = [.. (s.Conditions ?? []).Where(x => !Same(x, condition))] });
        }

        private static CombatantState Enter(Combatant c) =>
            new(c.Name, c.Initiative, c.Hp, c.MaxHp, 0, c.ArmorClass, c.Npc, []);

        private int IndexOf(string name) => _sheets.FindIndex(s => Same(s.Name, name));

        private int FindCombatant(string name) => _combat?.Order.ToList().FindIndex(c => Same(c.Name, name)) ?? -1;

        private void UpdateCombatant(string name, Func<CombatantState, CombatantState> change)
        {
            if (_combat is { } c && FindCombatant(name) is var i and >= 0)
            {
                var order = c.Order.ToList();
                order[i] = change(order[i]);
                _combat = c with { Order = order };
            }
        }

        private void UpdateSheet(string name, Func<CharacterSheet, CharacterSheet> change)
        {
            if (IndexOf(name) is var i and >= 0)
            {
                _sheets[i] = change(_sheets[i]);
            }
        }

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }
}
