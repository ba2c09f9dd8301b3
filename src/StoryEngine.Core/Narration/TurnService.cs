using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Telemetry;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Plays turns. The player's action is committed before the model is called; the narration then streams in a
/// background task that outlives the request (so a dropped connection loses nothing and can re-attach), is
/// checkpointed every second, and always ends with an event: completed, stopped, failed or interrupted.
/// </summary>
public sealed partial class TurnService(
    StoryWriter writer,
    IStoryLog log,
    TurnRegistry registry,
    ShutdownDrain drain,
    NarrationInputs inputs,
    ContextBuilder contexts,
    Generation.NarrationGeneration generation,
    INarrator narrator,
    TokenEstimator estimator,
    DraftCheckpoints drafts,
    IEnumerable<INarrationObserver> observers,
    UsageMeter usage,
    ILoreActivationLog loreActivations,
    OutcomeWriter outcomes,
    Jobs.ForegroundGate foreground,
    Agents.NarratorTools narratorTools,
    TimeProvider clock,
    ILogger<TurnService> logger,
    Cluster.NarrationCluster? cluster = null
)
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<Task> _narrations = [];
    private readonly Lock _narrationsLock = new();

    /// <summary>Commits the action, starts narrating, and returns the run to stream from.</summary>
    public Task<TurnRun> TakeTurnAsync(
        string ownerId,
        string adventureId,
        string? kind,
        string? text,
        CancellationToken cancellationToken
    ) => TakeTurnAsync(ownerId, adventureId, kind, text, null, cancellationToken);

    /// <summary>As above; <paramref name="with"/> gives, for the new turn's id, events recorded with the action in
    /// the same append (a scenario's move, issue 24).</summary>
    public async Task<TurnRun> TakeTurnAsync(
        string ownerId,
        string adventureId,
        string? kind,
        string? text,
        Func<string, IReadOnlyList<IStoryEventPayload>>? with,
        CancellationToken cancellationToken
    )
    {
        drain.ThrowIfDraining(); // issue 16: a node shutting down starts no narration it might have to cut off
        var action = ValidateAction(kind, text);
        ThrowIfBackendsFull(NarrationPriority.Interactive);
        // Background jobs hold back from here until the model's first token (issue 19); the narration ends the scope.
        var preparing = foreground.Enter();
        try
        {
            var state = await writer.LoadStateAsync(ownerId, adventureId, null, cancellationToken);
            var turnId = Ids.New();
            var command = new TakeTurn(turnId, action.Kind, action.Text) { With = with?.Invoke(turnId) ?? [] };
            // Before anything is written or sent: a refused turn leaves no event and costs no model call.
            await usage.EnsureWithinQuotaAsync(ownerId, narrator.Settings.ReplyTokens, cancellationToken);
            var decision = TurnDecider.Decide(state, command);
            return await CommitAndStartAsync(
                ownerId,
                state,
                command,
                decision,
                _ => action,
                preparing,
                cancellationToken
            );
        }
        catch
        {
            preparing.Dispose();
            throw;
        }
    }

    /// <summary>Narrates the newest turn again as a new alternative; the earlier ones stay available.</summary>
    public async Task<TurnRun> RetryAsync(
        string ownerId,
        string adventureId,
        string turnId,
        CancellationToken cancellationToken
    )
    {
        drain.ThrowIfDraining();
        ThrowIfBackendsFull(NarrationPriority.Retry);
        var preparing = foreground.Enter();
        try
        {
            var state = await writer.LoadStateAsync(ownerId, adventureId, turnId, cancellationToken);
            var command = new RetryTurn(turnId);
            // Its refusals (404, not_newest_turn) precede the quota's.
            var decision = TurnDecider.Decide(state, command);
            await usage.EnsureWithinQuotaAsync(ownerId, narrator.Settings.ReplyTokens, cancellationToken);
            return await CommitAndStartAsync(
                ownerId,
                state,
                command,
                decision,
                s => new PlayerAction(s.Target!.Kind, s.Target.PlayerText),
                preparing,
                cancellationToken
            );
        }
        catch
        {
            preparing.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Claims the adventure for the narration, appends the decision at the loaded version, starts narrating. When the
    /// log moved on between the load and the claim (a narration that finished just then), the state is loaded, the
    /// command decided and the adventure claimed again, once, as the reload after the claim used to do every time.
    /// </summary>
    private async Task<TurnRun> CommitAndStartAsync(
        string ownerId,
        TurnState state,
        TurnCommand command,
        TurnDecision decision,
        Func<TurnState, PlayerAction> actionOf,
        IDisposable preparing,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = registry.Begin(state.Adventure.Id, decision.TurnId, decision.Alternative, ownerId);
            var leased = false;
            Task<NarrationInput>? prepared = null;
            try
            {
                // Across nodes (ADR 0047): the lease row is the claim; the registry only keeps this node's runs.
                leased = await TakeLeaseAsync(run, ownerId, cancellationToken);
                var action = actionOf(state);
                prepared = PrepareEarly(state, decision, action);
                var known = state.Target is { } target ? [target] : Array.Empty<TurnRecord>();
                var appended = await writer.AppendAsync(
                    state.Adventure,
                    ownerId,
                    decision.Events,
                    known,
                    cancellationToken
                );
                Start(run, ownerId, action, appended, prepared, preparing);
                return run;
            }
            catch (StoryConflictException) when (attempt == 1)
            {
                Discard(prepared);
                await ReleaseLeaseAsync(run, leased);
                registry.Abandon(run);
            }
            catch
            {
                Discard(prepared);
                await ReleaseLeaseAsync(run, leased);
                registry.Abandon(run);
                throw;
            }
            state = await writer.LoadStateAsync(ownerId, state.Adventure.Id, state.Target?.TurnId, cancellationToken);
            decision = TurnDecider.Decide(state, command);
        }
    }

    // Issue 19: a turn's inputs (cards, transcript, state, summaries, lore, recall, knowledge) do not depend on its own
    // action's event, so they are read while that event is being committed. The adventure as loaded is the version
    // they are read as of: the new turn is not in it yet (its number is), a retried turn is, as it stood. Only a
    // decision that records nothing else with the action qualifies: a scenario's move, say, changes the scene read.
    private Task<NarrationInput>? PrepareEarly(TurnState state, TurnDecision decision, PlayerAction action)
    {
        TurnAt? turn = decision.Events switch
        {
            [ActionTaken taken] => new TurnAt(taken.TurnId, taken.Number, null),
            [RetryRequested] when state.Target is { } target => new TurnAt(target.TurnId, target.Number, target),
            _ => null,
        };
        // On the pool, as SQLite's reads run synchronously and the append should start now; CancellationToken.None:
        // the narration goes on whether or not the request that started it does.
        return turn is null
            ? null
            : Task.Run(() => inputs.LoadAsync(state.Adventure, turn, action, CancellationToken.None));
    }

    // Inputs read for an append that did not happen: nothing waits for them, so their failure is only observed.
    private static void Discard(Task<NarrationInput>? prepared) =>
        prepared?.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        );

    // Issue 21's backpressure: when every backend of the narrator is at its limit with a full queue, the turn is
    // refused
    // (503 with Retry-After) before anything is written, rather than committed and then failed.
    private void ThrowIfBackendsFull(string priority)
    {
        if (narrator.IsFull(priority))
        {
            throw new BackendsBusyException();
        }
    }

    // True when this node now holds the adventure's lease; without a cluster (SQLite) there is none to take.
    private async Task<bool> TakeLeaseAsync(TurnRun run, string ownerId, CancellationToken cancellationToken)
    {
        if (cluster is null)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var lease = new Cluster.NarrationLease(
            run.AdventureId,
            run.TurnId,
            run.Alternative,
            ownerId,
            cluster.Settings.NodeId,
            now + cluster.Settings.LeaseTimeout
        );
        return await cluster.Leases.TryTakeAsync(lease, now, cancellationToken)
            ? true
            : throw new TurnInProgressException(run.AdventureId);
    }

    // Once the outcome is stored (or could not be): the adventure is free for a turn on any node. A release that
    // fails leaves a lease that expires by itself, its turn already settled.
    private async Task ReleaseLeaseAsync(TurnRun run, bool leased)
    {
        if (cluster is null || !leased)
        {
            return;
        }
        try
        {
            await cluster.Leases.ReleaseAsync(
                run.AdventureId,
                run.TurnId,
                cluster.Settings.NodeId,
                clock.GetUtcNow(),
                CancellationToken.None
            );
        }
        catch (Exception e) when (OutcomeWriter.IsStorageFault(e))
        {
            LogLeaseNotReleased(logger, e, run.AdventureId, run.TurnId);
            _unreleased[run.AdventureId] = run.TurnId;
        }
    }

    // Leases whose release failed (the database was away): the heartbeat releases them before it renews.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _unreleased = new(
        StringComparer.Ordinal
    );

    /// <summary>Releases the leases whose release failed while the database was away. Called by the heartbeat before
    /// it renews this node's leases.</summary>
    public async Task RetryLeaseReleasesAsync(CancellationToken cancellationToken)
    {
        if (cluster is null)
        {
            return;
        }
        foreach (var (adventureId, turnId) in _unreleased)
        {
            if (registry.Find(adventureId) is { IsFinished: false })
            {
                _unreleased.TryRemove(new KeyValuePair<string, string>(adventureId, turnId)); // a new narration has it
                continue;
            }
            await cluster.Leases.ReleaseAsync(
                adventureId,
                turnId,
                cluster.Settings.NodeId,
                clock.GetUtcNow(),
                cancellationToken
            );
            _unreleased.TryRemove(new KeyValuePair<string, string>(adventureId, turnId));
        }
    }

    /// <summary>Stops the narration in flight, on this node or another; the text so far is kept as a stopped
    /// narration.</summary>
    public async Task<TurnRun> StopAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        var run = await OwnedRunAsync(ownerId, adventureId, cancellationToken);
        if (run is null || run.IsFinished)
        {
            throw new NoTurnInProgressException();
        }
        if (registry.Find(adventureId) == run)
        {
            await run.Stop.CancelAsync();
        }
        else
        {
            await cluster!.Relay.RequestStopAsync(adventureId, cancellationToken); // narrated on another node
        }
        return run;
    }

    /// <summary>The narration in flight (or just finished) for re-attaching, after checking the adventure is the
    /// caller's; on a cluster, one narrated on another node is followed through the relay.</summary>
    public Task<TurnRun?> FindRunAsync(string ownerId, string adventureId, CancellationToken cancellationToken) =>
        OwnedRunAsync(ownerId, adventureId, cancellationToken);

    /// <summary>How long stop and re-attach wait for the database to confirm whose adventure it is.</summary>
    public static readonly TimeSpan OwnershipCheckTimeout = TimeSpan.FromSeconds(3);

    // Stop and re-attach never wait on the database for a run this node holds (issue 15): the run knows its owner.
    // Otherwise the adventure is looked up, briefly: an outage answers 503 at once instead of hanging the player.
    private async Task<TurnRun?> OwnedRunAsync(string ownerId, string adventureId, CancellationToken cancellationToken)
    {
        var run = registry.Find(adventureId);
        if (run is { IsFinished: false } && run.OwnerId == ownerId)
        {
            return run;
        }
        if (cluster is not null)
        {
            try
            {
                if (await cluster.Relay.FollowAsync(ownerId, adventureId, cancellationToken) is { } followed)
                {
                    if (run is null || run.IsFinished && !followed.IsFinished)
                    {
                        return followed;
                    }
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && OutcomeWriter.IsStorageFault(e))
            {
                throw new StorageUnavailableException(e);
            }
        }
        if (run is not null && run.OwnerId == ownerId)
        {
            return run;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(OwnershipCheckTimeout);
        try
        {
            await writer.LoadAsync(ownerId, adventureId, bounded.Token);
        }
        catch (Exception e)
            when (!cancellationToken.IsCancellationRequested
                && (e is OperationCanceledException || OutcomeWriter.IsStorageFault(e))
            )
        {
            throw new StorageUnavailableException(e);
        }
        return run;
    }

    /// <summary>
    /// At start-up: every turn still marked streaming was cut off by a crash or kill. It becomes interrupted, with
    /// the last checkpointed draft as its text, so it can be retried or continued.
    /// </summary>
    public Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken) =>
        InterruptStaleAsync(DateTimeOffset.MaxValue, cancellationToken);

    /// <summary>
    /// A streaming turn whose action is older than this, and that no run on this node narrates, is taken for
    /// orphaned by the sweeper: its node died, or its outcome was lost. Longer than any narration may take.
    /// </summary>
    public static readonly TimeSpan OrphanAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// While running: writes the outcomes kept through an outage, then marks interrupted the streaming turns that
    /// no live run narrates (issue 15). Returns how many turns it settled.
    /// </summary>
    public async Task<int> SettleAsync(bool sweepOrphans, CancellationToken cancellationToken)
    {
        var written = await outcomes.WritePendingAsync(cancellationToken);
        if (written.Count > 0)
        {
            await RetryLeaseReleasesAsync(cancellationToken); // their outcomes are stored: the adventures are free
        }
        foreach (var (outcome, turn) in written)
        {
            if (outcome.Outcome is NarrationCompleted { Stopped: false })
            {
                await NotifyAsync(
                    new CompletedNarration(
                        outcome.OwnerId,
                        outcome.AdventureId,
                        outcome.TurnId,
                        turn.Number,
                        outcome.Alternative
                    )
                );
            }
        }
        var swept =
            sweepOrphans && outcomes.PendingCount == 0
                ? await InterruptStaleAsync(clock.GetUtcNow() - OrphanAfter, cancellationToken, seenFor: OrphanAfter)
                : 0;
        return written.Count + swept;
    }

    // When the sweeper first saw each streaming turn, on the monotonic clock: a turn is taken for orphaned only once
    // this node has watched it stream for OrphanAfter, so a wall clock that jumps (NTP, a test's clock) sweeps nothing.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _seenStreaming = new(
        StringComparer.Ordinal
    );

    private async Task<int> InterruptStaleAsync(
        DateTimeOffset startedBefore,
        CancellationToken cancellationToken,
        TimeSpan? seenFor = null
    )
    {
        var stale = await log.ListStreamingTurnsAsync(cancellationToken);
        var recovered = 0;
        var now = clock.GetTimestamp();
        var streaming = stale.Select(t => t.TurnId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _seenStreaming.Keys.Where(k => !streaming.Contains(k)))
        {
            _seenStreaming.TryRemove(gone, out _);
        }
        foreach (var turn in stale)
        {
            var firstSeen = _seenStreaming.GetOrAdd(turn.TurnId, now);
            if (
                registry.Find(turn.AdventureId) is { IsFinished: false }
                || outcomes.IsPending(turn.AdventureId, turn.TurnId)
                || turn.UpdatedAt > startedBefore
                || (seenFor is { } watch && clock.GetElapsedTime(firstSeen, now) < watch)
            )
            {
                continue; // narrating on this node right now, ended here and waiting for the database, or too recent
            }
            if (await LeasedElsewhereAsync(turn, cancellationToken))
            {
                continue; // another node narrates it and renews its lease
            }
            var alternative = turn.Alternatives.Count - 1;
            var draft = await log.GetDraftAsync(turn.AdventureId, turn.TurnId, alternative, cancellationToken) ?? "";
            var adventure = await writer.LoadAsync(await OwnerOfAsync(turn), turn.AdventureId, cancellationToken);
            try
            {
                await writer.AppendAsync(
                    adventure,
                    "system",
                    [new NarrationInterrupted(turn.TurnId, alternative, draft)],
                    cancellationToken
                );
            }
            catch (StoryConflictException)
            {
                continue; // settled meanwhile (by the lease sweep of this or another node, or its own outcome)
            }
            LogRecovered(logger, turn.AdventureId, turn.TurnId, draft.Length);
            recovered++;
        }
        return recovered;
    }

    // A live lease of a node that may be alive: not this node's (a previous run under a configured name), and not a
    // default-named node of this host whose process is gone (ClusterSettings.IsGone).
    private async Task<bool> LeasedElsewhereAsync(TurnRecord turn, CancellationToken cancellationToken) =>
        cluster is not null
        && await cluster.Leases.FindAsync(turn.AdventureId, cancellationToken) is { } lease
        && lease.TurnId == turn.TurnId
        && lease.IsLive(clock.GetUtcNow())
        && !cluster.Settings.IsGone(lease.NodeId);

    /// <summary>
    /// The heartbeat's other half (ADR 0047): a lease its node stopped renewing means that node died mid-narration.
    /// Its turn becomes interrupted with the last checkpointed draft, as after a crash, and can be retried on any node;
    /// the lease is then removed. Returns how many turns it settled.
    /// </summary>
    public async Task<int> SettleExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        if (cluster is null)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var settled = 0;
        foreach (var lease in await cluster.Leases.ListExpiredAsync(now, cancellationToken))
        {
            if (
                registry.Find(lease.AdventureId) is { IsFinished: false } local && local.TurnId == lease.TurnId
                || outcomes.IsPending(lease.AdventureId, lease.TurnId)
            )
            {
                // ours, alive (a renewal failed, the next one catches up), or ended here awaiting the database
                continue;
            }
            try
            {
                var state = await writer.LoadStateAsync(
                    lease.OwnerId,
                    lease.AdventureId,
                    lease.TurnId,
                    cancellationToken
                );
                if (
                    state.Target is { } turn
                    && lease.Alternative < turn.Alternatives.Count
                    && turn.Alternatives[lease.Alternative].Status == NarrationRecord.Streaming
                )
                {
                    var draft = await log.GetDraftAsync(
                        lease.AdventureId,
                        lease.TurnId,
                        lease.Alternative,
                        cancellationToken
                    ) ?? "";
                    await writer.AppendAsync(
                        state.Adventure,
                        "system",
                        [new NarrationInterrupted(lease.TurnId, lease.Alternative, draft)],
                        cancellationToken
                    );
                    LogLeaseExpired(logger, lease.AdventureId, lease.TurnId, lease.NodeId, draft.Length);
                    settled++;
                }
            }
            catch (NotFoundException)
            {
                // the adventure or its turn is gone: only the lease is left to remove
            }
            catch (StoryConflictException)
            {
                continue; // the log moved meanwhile (the outcome came after all): look again at the next heartbeat
            }
            await cluster.Leases.DeleteExpiredAsync(lease, now, cancellationToken);
        }
        return settled;
    }

    /// <summary>
    /// On graceful shutdown (issue 16, the drain): the narrations in flight may finish for up to
    /// <paramref name="grace"/>; those still running then are stopped and recorded as interrupted, keeping their text.
    /// Returns how many were still running when told to stop. Safe to call again: a later call interrupts at once.
    /// </summary>
    public async Task<int> ShutdownAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        Task[] running;
        lock (_narrationsLock)
        {
            running = [.. _narrations];
        }
        if (grace > TimeSpan.Zero && !_shutdown.IsCancellationRequested && running.Any(t => !t.IsCompleted))
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // WhenAny never throws: a narration's own failure is recorded by the narration, not raised here.
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(grace, waiting.Token));
            await waiting.CancelAsync();
        }
        await _shutdown.CancelAsync();
        lock (_narrationsLock)
        {
            running = [.. _narrations]; // a turn that passed the drain check just before it began
        }
        var interrupted = running.Count(t => !t.IsCompleted);
        await Task.WhenAll(running);
        return interrupted;
    }

    // The narration goes on from the append it follows: the adventure as that left it, and its turn, need no reload.
    private void Start(
        TurnRun run,
        string ownerId,
        PlayerAction action,
        StoryAppend appended,
        Task<NarrationInput>? prepared,
        IDisposable preparing
    )
    {
        var task = Task.Run(() => NarrateAsync(run, ownerId, action, appended, prepared, preparing));
        lock (_narrationsLock)
        {
            _narrations.RemoveAll(t => t.IsCompleted);
            _narrations.Add(task);
        }
    }

    private async Task NarrateAsync(
        TurnRun run,
        string ownerId,
        PlayerAction action,
        StoryAppend appended,
        Task<NarrationInput>? prepared,
        IDisposable preparing
    )
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Stop.Token, _shutdown.Token);
        using var trace = NarrationTelemetry.Start(run); // a child of the request's span, which Task.Run carried here
        var text = new StringBuilder();
        var started = Stopwatch.GetTimestamp();
        double? firstTokenMs = null;
        double? queueMs = null;
        string? backend = null,
            model = null;
        long? inputTokens = null,
            outputTokens = null;
        // Tokens of the earlier rounds of a tool loop: each round is a model call that reports its own usage.
        long earlierInput = 0,
            earlierOutput = 0;
        var newRound = false;
        var tools = narratorTools.For(
            narrator.Settings,
            narrator.Client,
            ownerId,
            new Agents.ToolTurn(run.AdventureId, run.TurnId, run.Alternative)
        );
        var estimated = 0;
        var called = false;
        Task? savingContext = null;
        Func<Task>? saveContext = null;
        CarriedContext? carried = null;
        IStoryEventPayload outcome;
        try
        {
            var input = await (
                prepared
                ?? (
                    appended.Turns.FirstOrDefault(t => t.TurnId == run.TurnId) is { } turn
                        ? inputs.LoadAsync(
                            appended.Adventure,
                            new TurnAt(turn.TurnId, turn.Number, turn),
                            action,
                            CancellationToken.None
                        )
                        : inputs.LoadAsync(appended.Adventure, run.TurnId, action, CancellationToken.None)
                )
            );
            var context = contexts.Build(input, narrator.Settings);
            var (chatOptions, generationReport) = generation.Plan(input);
            chatOptions = WithPriority(
                chatOptions,
                run.Alternative > 0 ? NarrationPriority.Retry : NarrationPriority.Interactive
            );
            context = context with { Report = context.Report with { Generation = generationReport } };
            if (tools is not null)
            {
                chatOptions = tools.With(chatOptions);
            }
            estimated = context.Report.EstimatedTokens;
            carried = context.Carried;
            // Saved once the first token is on its way to the player (or the call ended without one), on another
            // thread: SQLite's driver writes synchronously, and that write, its wait for the writer and the report's
            // serialisation all stayed between the prompt and the request to the model (issue 19).
            saveContext = () =>
                Task.WhenAll(
                    log.SaveContextAsync(
                        run.AdventureId,
                        run.TurnId,
                        run.Alternative,
                        JsonSerializer.Serialize(
                            context.Report with
                            {
                                QueueMilliseconds = queueMs,
                                Tools = tools is null ? context.Report.Tools : ToolReports(tools),
                            },
                            StoryEventJson.Options
                        ),
                        CancellationToken.None
                    ),
                    SaveLoreAsync(run, input.Lore, context.Report.Lore)
                );

            called = true;
            trace.ModelCallStarting(narrator.Settings.Model);
            await foreach (
                var update in (tools?.Client ?? narrator.Client).GetStreamingResponseAsync(
                    context.Messages,
                    chatOptions,
                    linked.Token
                )
            )
            {
                model ??= update.ModelId;
                newRound |= update.Contents.Any(c => c is FunctionResultContent);
                if (update.AdditionalProperties?.TryGetValue("backend", out var name) == true)
                {
                    backend = name?.ToString();
                }
                if (
                    update.AdditionalProperties?.TryGetValue(NarrationPriority.QueueMillisecondsKey, out var queued)
                    == true
                )
                {
                    if (queueMs is null)
                    {
                        queueMs = Convert.ToDouble(queued, System.Globalization.CultureInfo.InvariantCulture);
                        StoryMetrics.GatewayQueueWait.Record(queueMs.Value / 1000);
                    }
                }
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    if (newRound)
                    {
                        earlierInput += inputTokens ?? 0;
                        earlierOutput += outputTokens ?? 0;
                        (inputTokens, outputTokens, newRound) = (null, null, false);
                    }
                    inputTokens = usage.Details.InputTokenCount ?? inputTokens;
                    outputTokens = usage.Details.OutputTokenCount ?? outputTokens;
                }
                var piece = update.Text;
                if (string.IsNullOrEmpty(piece))
                {
                    continue;
                }
                firstTokenMs ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                text.Append(piece);
                run.Add(piece, readersInline: true);
                if (savingContext is null)
                {
                    preparing.Dispose();
                    savingContext = Task.Run(saveContext);
                }
                drafts.Update(run);
            }
            outcome = Completed(stopped: false);
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            outcome = Completed(stopped: true);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            outcome = new NarrationInterrupted(run.TurnId, run.Alternative, text.ToString());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the backend did, the turn ends with an event saying so; the partial text is kept.
            LogNarrationFailed(logger, e, run.AdventureId, run.TurnId);
            outcome = new NarrationFailed(
                run.TurnId,
                run.Alternative,
                FailureCode(e),
                FailureMessage(e),
                text.ToString()
            );
        }
        preparing.Dispose();
        if (earlierInput + earlierOutput > 0)
        {
            inputTokens = (inputTokens ?? 0) + earlierInput;
            outputTokens = (outputTokens ?? 0) + earlierOutput;
        }
        trace.ModelCallEnded(outcome, backend, model, inputTokens, outputTokens, firstTokenMs);
        drafts.Forget(run);
        await ObserveAsync(savingContext ?? (saveContext is null ? Task.CompletedTask : Task.Run(saveContext)), run);
        if (called)
        {
            // Every call is metered, stopped and failed ones too: the tokens were spent. A failure before any output,
            // with nothing reported, spent nothing we can know of and is recorded as zero.
            var spentNothing =
                outcome is NarrationFailed && text.Length == 0 && inputTokens is null && outputTokens is null;
            await usage.RecordAsync(
                new ModelCall(
                    ownerId,
                    run.AdventureId,
                    UsagePurposes.Narration,
                    backend,
                    model ?? narrator.Settings.Model,
                    inputTokens,
                    outputTokens,
                    spentNothing ? 0 : estimated,
                    text.ToString()
                ),
                CancellationToken.None,
                syncedByNextWrite: true // the outcome, next, is an ordinary commit (ADR 63)
            );
        }
        await FinishAsync(run, ownerId, outcome, appended, ToolEvents(tools, outcome));
        estimator.Calibrate(model ?? narrator.Settings.Model, estimated, inputTokens ?? 0);

        NarrationCompleted Completed(bool stopped) =>
            new(
                run.TurnId,
                run.Alternative,
                text.ToString(),
                backend,
                model,
                new TokenUsage(inputTokens, outputTokens),
                new NarrationTimings(firstTokenMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds),
                stopped,
                carried
            );
    }

    // The calls are recorded whatever the outcome (they were made); what the tools proposed counts only for a narration
    // that completed.
    private static IReadOnlyList<IStoryEventPayload> ToolEvents(Agents.TurnTools? tools, IStoryEventPayload outcome) =>
        tools is null
            ? []
            : [.. tools.Calls(), .. outcome is NarrationCompleted { Stopped: false } ? tools.Turn.Proposed() : []];

    private static IReadOnlyList<ToolCallReport> ToolReports(Agents.TurnTools tools) =>
        [.. tools.Calls().Select(c => new ToolCallReport(c.Tool, c.Arguments, c.Result, c.ErrorCode, c.DurationMs))];

    private async Task FinishAsync(
        TurnRun run,
        string ownerId,
        IStoryEventPayload outcome,
        StoryAppend appended,
        IReadOnlyList<IStoryEventPayload> before
    )
    {
        try
        {
            var turn = await outcomes.WriteAsync(
                new PendingOutcome(ownerId, run.TurnId, run.Alternative, outcome, appended) { Before = before }
            );
            // Released even when the outcome waits for the database (then it fails and the heartbeat tries again).
            await ReleaseLeaseAsync(run, leased: true);
            if (turn is null)
            {
                // The database stayed away: the outcome is written when it is back. The reader is told now, and the
                // turn it gets stands as interrupted with the text so far, which is what a retry would start from.
                run.Finish(
                    new OutcomeItem(
                        InterruptedInMemory(run, appended, outcome),
                        StorageUnavailableException.ProblemCode,
                        StorageUnavailableException.NarrationMessage
                    )
                );
                return;
            }
            if (outcome is NarrationCompleted { Stopped: false })
            {
                await NotifyAsync(
                    new CompletedNarration(
                        ownerId,
                        run.AdventureId,
                        run.TurnId,
                        turn.Number,
                        run.Alternative,
                        appended.Adventure.LastSequence
                    )
                );
            }
            run.Finish(
                outcome switch
                {
                    NarrationFailed f => new OutcomeItem(turn, f.Code, f.Message),
                    NarrationInterrupted => new OutcomeItem(
                        turn,
                        "interrupted",
                        "The server is shutting down; the "
                            + "narration so far is kept. Retry it when the server is back."
                    ),
                    _ => new OutcomeItem(turn, null, null),
                }
            );
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not the database's absence but a refusal (the adventure was deleted meanwhile): nothing to write to.
            LogOutcomeLost(logger, e, run.AdventureId, run.TurnId);
            run.Finish(
                new OutcomeItem(
                    InterruptedInMemory(run, appended, outcome),
                    "storage_failed",
                    "The narration could not be saved. It will be marked interrupted and can be retried."
                )
            );
        }
        finally
        {
            // Finish precedes this in every path, so the adventure is free for its next turn (issue 15: a run left
            // unfinished here kept every later turn at 409 until a restart).
            registry.Finished(run);
        }
    }

    // The turn as the action left it, its narration marked interrupted with the text it reached: no database needed.
    private static TurnRecord InterruptedInMemory(TurnRun run, StoryAppend appended, IStoryEventPayload outcome)
    {
        var turn = appended.Turns.Single(t => t.TurnId == run.TurnId);
        var text = outcome switch
        {
            NarrationCompleted c => c.Text,
            NarrationFailed f => f.PartialText,
            NarrationInterrupted i => i.PartialText,
            _ => "",
        };
        var alternatives = turn.Alternatives.ToArray();
        if (run.Alternative < alternatives.Length)
        {
            alternatives[run.Alternative] = alternatives[run.Alternative] with
            {
                Text = text,
                Status = NarrationRecord.Interrupted,
            };
        }
        return turn with { Alternatives = alternatives };
    }

    // Follow-up work (memory, summaries, state) is scheduled by observers; none of it may fail a stored turn.
    private async Task NotifyAsync(CompletedNarration narration)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.NarrationCompletedAsync(narration, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogObserverFailed(logger, e, observer.GetType().Name, narration.AdventureId, narration.TurnId);
            }
        }
    }

    // What lore fired, for later turns' sticky and cooldown (docs/adr/0015-lore-activation-records.md).
    private Task SaveLoreAsync(TurnRun run, LoreInput? lore, LoreReport? report) =>
        lore is null || report is null || report.Fired.Count == 0
            ? Task.CompletedTask
            : loreActivations.SaveAsync(
                new LoreActivationRecord(
                    run.AdventureId,
                    run.TurnId,
                    run.Alternative,
                    lore.TurnNumber,
                    report.ToHistory()
                ),
                CancellationToken.None
            );

    // The context report is for the inspector; failing to store it must not fail the turn, only be logged.
    private async Task ObserveAsync(Task savingContext, TurnRun run)
    {
        try
        {
            await savingContext;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogContextLost(logger, e, run.AdventureId, run.TurnId);
        }
    }

    private async Task<string> OwnerOfAsync(TurnRecord turn)
    {
        var first = await log.ReadAsync(turn.AdventureId, 0, 1, CancellationToken.None);
        return first.Count > 0 ? first[0].Actor : "system";
    }

    private static ChatOptions WithPriority(ChatOptions? options, string priority)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties ??= [];
        copy.AdditionalProperties[NarrationPriority.OptionKey] = priority;
        return copy;
    }

    private static PlayerAction ValidateAction(string? kind, string? text)
    {
        var errors = new FieldErrors();
        if (kind is null || !PlayerAction.Kinds.Contains(kind))
        {
            errors.Add("kind", $"kind must be one of {string.Join(", ", PlayerAction.Kinds)}.");
        }
        if (kind != "continue" && string.IsNullOrWhiteSpace(text))
        {
            errors.Add("text", "text is required (only 'continue' may be empty).");
        }
        errors.ThrowIfAny();
        if (text?.Length > NarratorSettings.MaxActionCharacters)
        {
            throw new ActionTooLongException(text.Length);
        }
        return new PlayerAction(kind!, text ?? "");
    }

    private static string FailureCode(Exception e) =>
        e switch
        {
            TimeoutException => "backend_timeout",
            _ => "backend_unavailable",
        };

    // The backends' exceptions carry a message written for players (issue 15: no addresses or keys); a database
    // error's text can name the server, so the player gets a plain sentence and the log keeps the detail.
    private static string FailureMessage(Exception e) =>
        e switch
        {
            System.Data.Common.DbException => "The story could not be saved just now. Try again in a minute.",
            _ when string.IsNullOrWhiteSpace(e.Message) => "The storyteller's model failed. Try again in a minute.",
            _ => e.Message,
        };

    [LoggerMessage(
        EventId = LogEvents.Cluster.LeaseExpired,
        Level = LogLevel.Warning,
        Message = "Node {NodeId} stopped renewing its lease on adventure {AdventureId}: turn {TurnId} is marked "
            + "interrupted, keeping {Characters} characters of its draft"
    )]
    private static partial void LogLeaseExpired(
        ILogger logger,
        string adventureId,
        string turnId,
        string nodeId,
        int characters
    );

    [LoggerMessage(
        EventId = LogEvents.Cluster.ReleaseFailed,
        Level = LogLevel.Warning,
        Message = "Could not release the narration lease of adventure {AdventureId}, turn {TurnId}; it expires by "
            + "itself"
    )]
    private static partial void LogLeaseNotReleased(
        ILogger logger,
        Exception exception,
        string adventureId,
        string turnId
    );

    [LoggerMessage(
        EventId = LogEvents.Narration.NarrationFailed,
        Level = LogLevel.Warning,
        Message = "Narration failed for adventure {AdventureId}, turn {TurnId}"
    )]
    private static partial void LogNarrationFailed(
        ILogger logger,
        Exception exception,
        string adventureId,
        string turnId
    );

    [LoggerMessage(
        EventId = LogEvents.Narration.OutcomeLost,
        Level = LogLevel.Error,
        Message = "Could not store " + "the outcome of adventure {AdventureId}, turn {TurnId}"
    )]
    private static partial void LogOutcomeLost(ILogger logger, Exception exception, string adventureId, string turnId);

    [LoggerMessage(
        EventId = LogEvents.Narration.ContextLost,
        Level = LogLevel.Warning,
        Message = "Could not store " + "the prompt report or lore activations of adventure {AdventureId}, turn {TurnId}"
    )]
    private static partial void LogContextLost(ILogger logger, Exception exception, string adventureId, string turnId);

    [LoggerMessage(
        EventId = LogEvents.Narration.ObserverFailed,
        Level = LogLevel.Warning,
        Message = "{Observer} could not schedule follow-up work for adventure {AdventureId}, turn {TurnId}"
    )]
    private static partial void LogObserverFailed(
        ILogger logger,
        Exception exception,
        string observer,
        string adventureId,
        string turnId
    );

    [LoggerMessage(
        EventId = LogEvents.Narration.InterruptedByStop,
        Level = LogLevel.Warning,
        Message = "Turn {TurnId} of adventure {AdventureId} was interrupted by a stop; kept {Characters} characters "
            + "of its draft"
    )]
    private static partial void LogRecovered(ILogger logger, string adventureId, string turnId, int characters);
}

/// <summary>An action longer than <see cref="NarratorSettings.MaxActionCharacters"/>: refused with 422.</summary>
public sealed class ActionTooLongException(int length)
    : StoryEngineException(
        "action_too_long",
        $"An action may be at most {NarratorSettings.MaxActionCharacters} "
            + $"characters (got {length}). Split it into several turns."
    );
