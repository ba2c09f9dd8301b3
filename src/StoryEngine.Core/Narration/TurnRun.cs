namespace StoryEngine.Core.Narration;

/// <summary>What a reader of a narration stream receives, in order: tokens, then exactly one outcome.</summary>
public abstract record TurnStreamItem;

/// <summary>A piece of narration; <see cref="Index"/> counts from 1 within one narration and is the SSE event
/// id.</summary>
public sealed record TokenItem(int Index, string Text) : TurnStreamItem;

/// <summary>The narration ended: <see cref="Turn"/> is the stored turn; a failure carries its problem code and
/// message.</summary>
public sealed record OutcomeItem(Stories.TurnRecord Turn, string? FailureCode, string? FailureMessage) : TurnStreamItem
{
    public bool Succeeded => FailureCode is null;
}

/// <summary>
/// One narration in flight. Tokens are kept in memory until the run is forgotten, so a client that lost its
/// connection can re-attach and receive every token after the last one it saw, then the outcome.
/// </summary>
public sealed class TurnRun(string adventureId, string turnId, int alternative)
{
    private readonly List<string> _tokens = [];
    private readonly Lock _lock = new();

    // Continuations run where the signal is set: Change decides whether that is the writer's thread or the pool's.
    private TaskCompletionSource _changed = new();
    private OutcomeItem? _outcome;

    public string AdventureId { get; } = adventureId;
    public string TurnId { get; } = turnId;
    public int Alternative { get; } = alternative;

    /// <summary>Whose adventure it is, so stop and re-attach can check without the database (issue 15).</summary>
    public string? OwnerId { get; init; }

    /// <summary>Cancelled when the player presses stop; the text so far is kept as a stopped narration.</summary>
    public CancellationTokenSource Stop { get; } = new();

    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return _outcome is not null;
            }
        }
    }

    /// <summary>The id a stream's events carry: which narration, and which token of it.</summary>
    public string EventId(int index) => $"{TurnId}.{Alternative}.{index}";

    /// <summary>The token index after which to resume for a Last-Event-ID, or 0 when it names another
    /// narration.</summary>
    public int ResumeAfter(string? lastEventId)
    {
        var prefix = $"{TurnId}.{Alternative}.";
        return
            lastEventId is not null
            && lastEventId.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(
                lastEventId.AsSpan(prefix.Length),
                System.Globalization.CultureInfo.InvariantCulture,
                out var index
            )
            && index > 0
            ? index
            : 0;
    }

    /// <summary>The longest piece one token carries: a longer piece is split, so every token fits in one message
    /// of the relay between nodes (PostgreSQL's NOTIFY takes under 8,000 bytes; ADR 0047).</summary>
    public const int MaxTokenCharacters = 1000;

    /// <summary>How many tokens the run holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tokens.Count;
            }
        }
    }

    /// <summary>The tokens so far.</summary>
    public string[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _tokens];
        }
    }

    /// <summary>The text so far, the tokens put together.</summary>
    public string Text()
    {
        lock (_lock)
        {
            return string.Concat(_tokens);
        }
    }

    /// <param name="text">The piece of narration.</param>
    /// <param name="readersInline">Whether waiting readers go on at once on the caller's thread (the narration loop:
    /// its token then reaches the client's connection before anything else the first token sets off; issue 19), rather
    /// than from the thread pool. Only for a caller that holds no lock a reader might want.</param>
    public void Add(string text, bool readersInline = false)
    {
        if (text.Length <= MaxTokenCharacters)
        {
            Change(() => _tokens.Add(text), readersInline);
            return;
        }
        Change(
            () =>
            {
                for (var start = 0; start < text.Length; start += MaxTokenCharacters)
                {
                    var length = Math.Min(MaxTokenCharacters, text.Length - start);
                    // never between the halves of a surrogate pair
                    if (length == MaxTokenCharacters && char.IsHighSurrogate(text[start + length - 1]))
                    {
                        length--;
                    }
                    _tokens.Add(text.Substring(start, length));
                    start -= MaxTokenCharacters - length;
                }
            },
            readersInline
        );
    }

    public void Finish(OutcomeItem outcome) => Change(() => _outcome ??= outcome, readersInline: false);

    /// <summary>Tokens after <paramref name="afterIndex"/>, live as they arrive, then the outcome.</summary>
    public async IAsyncEnumerable<TurnStreamItem> ReadAsync(
        int afterIndex,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        var next = afterIndex;
        while (true)
        {
            string[] batch;
            OutcomeItem? outcome;
            Task changed;
            lock (_lock)
            {
                batch = next < _tokens.Count ? _tokens.GetRange(next, _tokens.Count - next).ToArray() : [];
                outcome = _outcome;
                changed = _changed.Task;
            }
            foreach (var text in batch)
            {
                yield return new TokenItem(++next, text);
            }
            if (outcome is not null)
            {
                yield return outcome;
                yield break;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>As <see cref="ReadAsync"/>, but each wake-up's tokens together, for the relay to send in few
    /// messages.</summary>
    public async IAsyncEnumerable<(IReadOnlyList<TokenItem> Tokens, OutcomeItem? Outcome)> ReadBatchesAsync(
        int afterIndex,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        var next = afterIndex;
        while (true)
        {
            TokenItem[] batch;
            OutcomeItem? outcome;
            Task changed;
            lock (_lock)
            {
                batch = new TokenItem[Math.Max(0, _tokens.Count - next)];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = new TokenItem(next + i + 1, _tokens[next + i]);
                }
                outcome = _outcome;
                changed = _changed.Task;
            }
            next += batch.Length;
            if (batch.Length > 0 || outcome is not null)
            {
                yield return (batch, outcome);
            }
            if (outcome is not null)
            {
                yield break;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private void Change(Action change, bool readersInline)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            change();
            signal = _changed;
            _changed = new TaskCompletionSource();
        }
        if (readersInline)
        {
            signal.TrySetResult();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.TrySetResult(), signal, preferLocal: false);
        }
    }
}
