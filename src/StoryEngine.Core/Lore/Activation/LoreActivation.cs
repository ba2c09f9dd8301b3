namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Decides which lorebook entries go into one turn's prompt, with SillyTavern World Info semantics (docs/lore.md):
/// keys in the recent turns, secondary-key logic, regex keys, constant entries, probability (seeded, so a retry sees
/// the same lore), sticky / cooldown / delay, recursion through activated entries' content, and a token budget per
/// book that cuts the lowest priorities first. Pure: everything it reads is in the request.
/// </summary>
public static class LoreActivation
{
    /// <summary>How many times activated entries' content is scanned for further keys.</summary>
    public const int MaxRecursionDepth = 3;

    /// <param name="indexes">Where compiled books are kept between turns; without one, each is compiled afresh.</param>
    public static LoreActivationResult Activate(LoreActivationRequest request, LoreIndexCache? indexes = null)
    {
        if (request.Books.Count == 0 || request.Books.All(b => b.Book.Entries.Count == 0))
        {
            return LoreActivationResult.None;
        }
        return new Run(request, indexes).Execute();
    }

    /// <summary>A trigger found for an entry: how it would fire, before probability, timers and budget have their
    /// say.</summary>
    private sealed record Trigger(int Book, int Entry, string Reason, string? Key, int? TurnNumber, string Where);

    private sealed record Kept(Trigger Trigger, string Text, int Tokens);

    private sealed class Run
    {
        private readonly LoreActivationRequest _request;
        private readonly LoreBookIndex[] _books;
        private readonly ScanText _chat;
        private readonly KeyHits[] _chatHits;
        private readonly List<(ScanText Text, KeyHits?[] Hits, List<Kept> Sources)> _recursion = [];
        private readonly bool[][] _done;
        private readonly int[] _used;
        private int _usedTotal;
        private readonly bool[] _full;
        private readonly LoreTimers _timers;
        private readonly List<Kept> _kept = [];
        private readonly List<LoreNotFired> _notFired = [];
        private readonly List<string> _warnings = [];

        public Run(LoreActivationRequest request, LoreIndexCache? indexes)
        {
            _request = request;
            _books = [.. request.Books.Select(b => indexes is null ? LoreBookIndex.Build(b) : indexes.For(b))];
            foreach (var book in _books)
            {
                _warnings.AddRange(book.Problems);
            }
            _chat = ScanText.Build(request.Segments);
            _chatHits = [.. _books.Select(b => KeyHits.Scan(b, _chat, _chat.End(b.MaxDepth), _warnings))];
            _done = [.. _books.Select(b => new bool[b.Entries.Count])];
            _used = new int[_books.Length];
            _full = new bool[_books.Length];
            _timers = new LoreTimers(request.History, request.TurnsBefore);
        }

        public LoreActivationResult Execute()
        {
            var added = Admit(FirstPass());
            for (var level = 1; level <= MaxRecursionDepth; level++)
            {
                // A book whose budget is full takes nothing more, so recursion stops looking into it, as SillyTavern
                // stops scanning once the budget overflows.
                var open = _books.Select((b, i) => !_full[i] && b.HasRecursionTargets).ToArray();
                if (!open.Contains(true))
                {
                    break;
                }
                if (added.Count > 0)
                {
                    var text = ScanText.Build(added.Select(k => Entry(k.Trigger).Entry.Content).ToArray());
                    _recursion.Add(
                        (
                            text,
                            [
                                .. _books.Select(
                                    (b, i) => open[i] ? KeyHits.Scan(b, text, text.Text.Length, _warnings) : null
                                ),
                            ],
                            added
                        )
                    );
                }
                else if (!Pending(level))
                {
                    break;
                }
                added = Admit(RecursionPass(level, open));
            }
            return Result();
        }

        private List<Trigger> FirstPass()
        {
            var triggers = new List<Trigger>();
            for (var b = 0; b < _books.Length; b++)
            {
                var book = _books[b];
                for (var i = 0; i < book.Entries.Count; i++)
                {
                    var entry = book.Entries[i].Entry;
                    if (!entry.Enabled)
                    {
                        _done[b][i] = true;
                        continue;
                    }
                    if (_timers.StuckSince(book.Source.Id, entry) is { } since)
                    {
                        _done[b][i] = true; // sticky: no keys, no roll; it is in until its turns run out
                        triggers.Add(
                            new Trigger(
                                b,
                                i,
                                LoreReasons.Sticky,
                                null,
                                since,
                                $"fired in turn {since} and " + $"sticks for {entry.Sticky} turns"
                            )
                        );
                        continue;
                    }
                    var trigger =
                        entry.Constant ? new Trigger(b, i, LoreReasons.Constant, null, null, "constant entry")
                        : entry.DelayUntilRecursion > 0 ? null
                        : MatchChat(b, i) ?? MatchMeaning(b, i);
                    if (trigger is not null)
                    {
                        _done[b][i] = true;
                        if (Allowed(trigger))
                        {
                            triggers.Add(trigger);
                        }
                    }
                }
            }
            return triggers;
        }

        private List<Trigger> RecursionPass(int level, bool[] open)
        {
            var triggers = new List<Trigger>();
            for (var b = 0; b < _books.Length; b++)
            {
                if (!open[b])
                {
                    continue;
                }
                var book = _books[b];
                for (var i = 0; i < book.Entries.Count; i++)
                {
                    var indexed = book.Entries[i];
                    if (_done[b][i] || !indexed.CanBeTriggeredByRecursion || indexed.Entry.DelayUntilRecursion > level)
                    {
                        continue;
                    }
                    if (MatchRecursion(b, i, level) is { } trigger)
                    {
                        _done[b][i] = true;
                        if (Allowed(trigger))
                        {
                            triggers.Add(trigger);
                        }
                    }
                }
            }
            return triggers;
        }

        /// <summary>Entries waiting for a recursion level they have not reached yet keep the passes going
        /// (SillyTavern's delayed levels).</summary>
        private bool Pending(int level)
        {
            for (var b = 0; b < _books.Length; b++)
            {
                for (var i = 0; i < _books[b].Entries.Count; i++)
                {
                    if (
                        !_done[b][i]
                        && _books[b].Entries[i] is { CanBeTriggeredByRecursion: true, Entry.DelayUntilRecursion: var d }
                        && d >= level
                    )
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        private Trigger? MatchChat(int b, int i)
        {
            var indexed = _books[b].Entries[i];
            var limit = _chat.End(indexed.Depth);
            var hits = _chatHits[b];
            var (key, position) = FirstOf(indexed.Primary, hits, limit);
            if (key is null || !SecondaryHolds(b, indexed, limit, level: 0))
            {
                return null;
            }
            var segment = _chat.Segments[_chat.SegmentAt(position)];
            return new Trigger(
                b,
                i,
                LoreReasons.Key,
                key,
                segment.TurnNumber,
                segment.Part switch
                {
                    "action" => $"the action of turn {segment.TurnNumber}",
                    "player" => $"the player's move in turn {segment.TurnNumber}",
                    _ => $"the narration of turn {segment.TurnNumber}",
                }
            );
        }

        // A vectorized entry the move is close to in meaning fires as a key in the action would (issue 20).
        private Trigger? MatchMeaning(int b, int i)
        {
            var entry = _books[b].Entries[i].Entry;
            return
                entry.Vectorized
                && _request.ByMeaning?.TryGetValue((_books[b].Source.Id, entry.Id), out var similarity) == true
                ? new Trigger(
                    b,
                    i,
                    LoreReasons.Meaning,
                    null,
                    _request.TurnNumber,
                    $"close in meaning to the action of turn {_request.TurnNumber} (similarity "
                        + similarity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)
                        + ")"
                )
                : null;
        }

        private Trigger? MatchRecursion(int b, int i, int level)
        {
            var indexed = _books[b].Entries[i];
            // Delayed entries (delayUntilRecursion) also match the recent turns, only later than the others.
            if (indexed.Entry.DelayUntilRecursion > 0 && MatchChat(b, i) is { } delayed)
            {
                return delayed with
                {
                    Where =
                        $"{delayed.Where} (delayed until recursion level " + $"{indexed.Entry.DelayUntilRecursion})",
                };
            }
            var limit = _chat.End(indexed.Depth);
            for (var pass = 0; pass < _recursion.Count && pass < level; pass++)
            {
                if (_recursion[pass].Hits[b] is not { } hits)
                {
                    continue;
                }
                var (key, position) = FirstOf(indexed.Primary, hits, KeyHits.None);
                if (key is null)
                {
                    continue;
                }
                if (!SecondaryHolds(b, indexed, limit, level))
                {
                    return null;
                }
                var source = _recursion[pass].Sources[_recursion[pass].Text.SegmentAt(position)];
                var from = Entry(source.Trigger);
                return new Trigger(
                    b,
                    i,
                    LoreReasons.Recursion,
                    key,
                    null,
                    $"the content of {from.Entry.Label} in \"{_books[source.Trigger.Book].Source.Book.Name}\" "
                        + $"(recursion level {pass + 1})"
                );
            }
            return null;
        }

        private static (string? Key, int Position) FirstOf(KeyRef[] keys, KeyHits hits, int limit)
        {
            string? best = null;
            var at = limit;
            foreach (var key in keys)
            {
                var p = hits.First(key);
                if (p < at)
                {
                    at = p;
                    best = key.Text;
                }
            }
            return (best, at);
        }

        /// <summary>The entry's secondary logic, where a key counts as present in the recent turns it scans or in any
        /// recursion text so far.</summary>
        private bool SecondaryHolds(int b, IndexedEntry indexed, int limit, int level)
        {
            if (indexed.Secondary.Length == 0)
            {
                return true;
            }
            var present = 0;
            foreach (var key in indexed.Secondary)
            {
                if (Present(b, key, limit, level))
                {
                    present++;
                }
            }
            return indexed.Entry.SelectiveLogic switch
            {
                SelectiveLogic.AndAny => present > 0,
                SelectiveLogic.AndAll => present == indexed.Secondary.Length,
                SelectiveLogic.NotAny => present == 0,
                SelectiveLogic.NotAll => present < indexed.Secondary.Length,
                _ => false,
            };
        }

        private bool Present(int b, KeyRef key, int limit, int level)
        {
            if (_chatHits[b].First(key) < limit)
            {
                return true;
            }
            for (var pass = 0; pass < level && pass < _recursion.Count; pass++)
            {
                if (_recursion[pass].Hits[b] is { } hits && hits.First(key) != KeyHits.None)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Timers and the probability roll; an entry stopped here is reported, never silently
        /// dropped.</summary>
        private bool Allowed(Trigger trigger)
        {
            var book = _books[trigger.Book];
            var entry = Entry(trigger).Entry;
            if (_timers.Blocked(book.Source.Id, entry) is { } blocked)
            {
                NotFired(trigger, blocked.Reason, blocked.Detail);
                return false;
            }
            if (entry.Probability < 100)
            {
                var roll = LoreDice.Roll(_request.AdventureId, _request.TurnNumber, book.Source.Id, entry.Id);
                if (roll >= entry.Probability)
                {
                    NotFired(
                        trigger,
                        LoreReasons.Probability,
                        $"{entry.Probability}% chance; this turn rolled " + $"{roll} (the same on a retry)"
                    );
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// The book budget, highest priority first: constant entries before the rest (they sit in the stable prefix,
        /// which a triggered entry must not push around), then sticky ones, then by priority. Once an entry does not
        /// fit, every lower one in that book is cut too, as SillyTavern stops at the first overflow.
        /// </summary>
        private List<Kept> Admit(List<Trigger> triggers)
        {
            var added = new List<Kept>();
            foreach (
                var trigger in triggers
                    .OrderBy(t =>
                        t.Reason == LoreReasons.Constant ? 0
                        : t.Reason == LoreReasons.Sticky ? 1
                        : 2
                    )
                    .ThenByDescending(t => Entry(t).Entry.Priority ?? Entry(t).Entry.InsertionOrder)
                    .ThenBy(t => Entry(t).Entry.InsertionOrder)
                    .ThenBy(t => t.Book)
                    .ThenBy(t => Entry(t).Entry.Id)
            )
            {
                var book = _books[trigger.Book];
                var entry = Entry(trigger).Entry;
                var text = book.Entries[trigger.Entry].Text;
                var tokens = text.Length == 0 ? 0 : _request.CountTokens(text);
                // A book's own budget can only lower its share of the one lore budget (issue 17: a book asking for
                // 100000 tokens left the transcript none).
                var own = book.Source.Book.TokenBudget is { } b && b < _request.Budget ? b : (int?)null;
                var overBook = own is { } limit && _used[trigger.Book] + tokens > limit;
                var overAll = _usedTotal + tokens > _request.Budget;
                if (_full[trigger.Book] || overBook || overAll)
                {
                    var first = !_full[trigger.Book];
                    // Over the lore budget, every book stops, as SillyTavern stops the whole scan at the overflow.
                    if (overAll && !overBook)
                    {
                        Array.Fill(_full, true);
                    }
                    _full[trigger.Book] = true;
                    var left = overBook
                        ? $"\"{book.Source.Book.Name}\" has {own - _used[trigger.Book]} of {own} left (its own budget)"
                        : $"lore has {_request.Budget - _usedTotal} of {_request.Budget} left (the lore budget, "
                            + "a share of the prompt)";
                    NotFired(
                        trigger,
                        LoreReasons.Budget,
                        first
                            ? $"needs {tokens} tokens but {left}; entries of higher priority came first"
                            : "lore is over budget; lower-priority entries are cut after the first that does not fit "
                                + $"(priority {entry.Priority ?? entry.InsertionOrder})"
                    );
                    continue;
                }
                _used[trigger.Book] += tokens;
                _usedTotal += tokens;
                var kept = new Kept(trigger, text, tokens);
                _kept.Add(kept);
                if (book.Entries[trigger.Entry].TriggersRecursion && text.Length > 0)
                {
                    added.Add(kept);
                }
            }
            return added;
        }

        private LoreActivationResult Result()
        {
            var placed = _kept
                .OrderBy(k => Entry(k.Trigger).Entry.InsertionOrder)
                .ThenBy(k => k.Trigger.Book)
                .ThenBy(k => Entry(k.Trigger).Entry.Id)
                .ToList();
            var fired = placed
                .Select(k =>
                {
                    var book = _books[k.Trigger.Book];
                    var entry = Entry(k.Trigger).Entry;
                    return new LoreFired(
                        book.Source.Id,
                        book.Source.Book.Name,
                        entry.Id,
                        entry.Label,
                        k.Trigger.Reason,
                        k.Trigger.Key,
                        k.Trigger.TurnNumber,
                        k.Trigger.Where,
                        k.Tokens,
                        entry.Constant ? "constant lore" : "triggered lore"
                    );
                })
                .ToList();
            ActivatedLore Lore(Kept k) =>
                new(
                    _books[k.Trigger.Book].Source.Id,
                    Entry(k.Trigger).Entry.Id,
                    k.Text,
                    k.Tokens,
                    k.Trigger.Reason == LoreReasons.Sticky
                );
            return new LoreActivationResult(
                [.. placed.Where(k => Entry(k.Trigger).Entry.Constant).Select(Lore)],
                [.. placed.Where(k => !Entry(k.Trigger).Entry.Constant).Select(Lore)],
                new LoreReport(fired, _notFired, _warnings.Distinct().ToList())
            );
        }

        private void NotFired(Trigger trigger, string reason, string detail)
        {
            var book = _books[trigger.Book];
            var entry = Entry(trigger).Entry;
            _notFired.Add(
                new LoreNotFired(
                    book.Source.Id,
                    book.Source.Book.Name,
                    entry.Id,
                    entry.Label,
                    reason,
                    $"{detail}; it matched as {Describe(trigger)}"
                )
            );
        }

        private static string Describe(Trigger trigger) =>
            trigger.Reason switch
            {
                LoreReasons.Constant => "a constant entry",
                LoreReasons.Sticky => "a sticky entry",
                _ => $"key \"{trigger.Key}\" in {trigger.Where}",
            };

        private IndexedEntry Entry(Trigger trigger) => _books[trigger.Book].Entries[trigger.Entry];
    }
}
