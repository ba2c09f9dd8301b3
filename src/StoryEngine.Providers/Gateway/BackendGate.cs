namespace StoryEngine.Providers.Gateway;

/// <summary>
/// The door in front of one backend (issue 21, the model gateway): at most <c>Backends:{name}:MaxConcurrency</c> calls
/// at once (0: no limit), the rest waiting in a priority queue of at most <c>MaxQueue</c> (interactive turns, then
/// retries, then background jobs; first come first served within one priority). A call that finds the queue full is
/// refused at once (<see cref="EnterAsync"/> returns null): the chain moves on to its next backend, and a turn that
/// finds every backend of the narrator full is answered 503 with Retry-After before anything is written.
/// <c>InteractiveReserve</c> slots (1 by default, at most MaxConcurrency − 1) are never given to background work, so a
/// player's turn finds a slot free at once even while jobs keep the backend busy: a priority queue alone would make
/// the turn wait for a job's whole answer to end (bench/gateway.sh ttft-under-jobs measures the difference).
/// Hand-written because the framework's <c>ConcurrencyLimiter</c> queues in one order only
/// (docs/adr/0046-nodes-share-postgresql-and-optionally-redis.md, "The model gateway").
/// </summary>
public sealed class BackendGate(
    string name,
    int maxConcurrency,
    int maxQueue,
    TimeProvider time,
    int interactiveReserve = 0
)
{
    // Background work may hold at most this many slots at once.
    private readonly int _backgroundLimit =
        maxConcurrency <= 0 ? 0 : maxConcurrency - Math.Clamp(interactiveReserve, 0, maxConcurrency - 1);
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Waiter, (int Priority, long Order)> _queue = new();
    private long _order;
    private int _running;
    private long _admitted;
    private long _refused;
    private double _queuedMilliseconds;

    public string Name => name;

    /// <summary>0: no limit.</summary>
    public int MaxConcurrency => maxConcurrency;

    public int MaxQueue => maxQueue;

    /// <summary>Slots kept for players' turns and retries: background work never holds them.</summary>
    public int InteractiveReserve => maxConcurrency <= 0 ? 0 : maxConcurrency - _backgroundLimit;

    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.UnorderedItems.Count(w => !w.Element.Done.Task.IsCompleted);
            }
        }
    }

    public long Admitted => Interlocked.Read(ref _admitted);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Mean time an admitted call waited, in milliseconds.</summary>
    public double MeanQueueMilliseconds
    {
        get
        {
            lock (_lock)
            {
                return _admitted == 0 ? 0 : _queuedMilliseconds / _admitted;
            }
        }
    }

    /// <summary>True when a call of <paramref name="priority"/> would be refused now.</summary>
    public bool IsFull(ModelPriority priority)
    {
        lock (_lock)
        {
            return maxConcurrency > 0 && _running >= maxConcurrency && LiveQueued(priority) >= maxQueue;
        }
    }

    /// <summary>Waits for a free slot; null when the queue is full. Dispose the ticket when the call is over.</summary>
    public async ValueTask<Ticket?> EnterAsync(ModelPriority priority, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (maxConcurrency <= 0 || _running < LimitFor(priority))
            {
                _running++;
                Admit(TimeSpan.Zero);
                return new Ticket(this, TimeSpan.Zero);
            }
            if (LiveQueued(priority) >= maxQueue)
            {
                Interlocked.Increment(ref _refused);
                return null;
            }
            waiter = new Waiter(time.GetTimestamp());
            _queue.Enqueue(waiter, ((int)priority, _order++));
        }
        await using (cancellationToken.Register(() => waiter.Done.TrySetCanceled(cancellationToken)))
        {
            // A cancelled waiter stays in the queue and is skipped when its turn comes.
            await waiter.Done.Task;
        }
        return new Ticket(this, time.GetElapsedTime(waiter.Since));
    }

    // Everything queued ahead of, or beside, a call of this priority counts against the queue's room: background
    // work cannot fill the queue so that a player's turn is refused while a slot is promised to a job.
    private int LiveQueued(ModelPriority priority) =>
        _queue.UnorderedItems.Count(w => !w.Element.Done.Task.IsCompleted && w.Priority.Priority <= (int)priority);

    private int LimitFor(ModelPriority priority) =>
        priority == ModelPriority.Background ? _backgroundLimit : maxConcurrency;

    private void Admit(TimeSpan waited)
    {
        _admitted++;
        _queuedMilliseconds += waited.TotalMilliseconds;
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_queue.TryPeek(out var next, out var key))
            {
                if (next.Done.Task.IsCompleted)
                {
                    _queue.Dequeue(); // gave up while waiting
                    continue;
                }
                // The queue is in priority order: a job at its head means no turn is waiting, and a job may take the
                // slot only if that leaves the reserved slots free.
                if (_running > LimitFor((ModelPriority)key.Priority))
                {
                    break;
                }
                _queue.Dequeue();
                var waited = time.GetElapsedTime(next.Since);
                if (next.Done.TrySetResult())
                {
                    Admit(waited); // the slot passes straight to the next in line
                    return;
                }
            }
            _running--;
        }
    }

    private sealed class Waiter(long since)
    {
        public long Since { get; } = since;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A slot held; disposing it hands the slot to the next call in line.</summary>
    public sealed class Ticket(BackendGate gate, TimeSpan waited) : IDisposable
    {
        private int _released;

        /// <summary>How long the call queued before it got the slot.</summary>
        public TimeSpan Waited => waited;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
